package org.ablate.tensor.kernels;

import java.util.Arrays;

/**
 * The work of one attention call, per (batch, head) pair {@code bh}. Several query rows go through blocked
 * matrix products (scores = Q·Kᵀ, out = P·V, and the five products of the backward pass) on the calling thread,
 * since the pairs are already spread over the pool; under a causal mask each block of query rows multiplies
 * only the keys it can see. Up to {@link #ROWS_ONE_BY_ONE} query rows (a decoding step, a short prompt) go one at a
 * time through dot products and axpys over the (cached) keys and values instead.
 *
 * <p>The arithmetic goes through the {@link Kernels} passed in, so every backend runs the same algorithm on its own
 * products and row kernels (a backend with a fused attention overrides {@link Kernels#attentionForward} and
 * {@link Kernels#attentionBackward} instead). Queries, keys and values are read in place ({@link Rows}); the score bias,
 * when not null, is [B,H,Lq,Lk] row-major; {@code pad} is null or [B,Lk] with 1 keep and 0 masked; {@code causal} lets
 * query i see keys j <= i + (Lk − Lq). Probabilities {@code probs} are [B,H,Lq,Lk] row-major; masked entries are
 * exactly 0, and a query row that sees no key gives zeros, never NaN. The backward pass writes each pair's rows of
 * gq, gk, gv (and gs, the score gradient, when not null), which must start zeroed.
 */
public record Attend(Rows qr, Rows kr, Rows vr, int bsz, int h, int lq, int lk, int d, int dv, float[] bias,
                     boolean causal, int[] pad, float scale) {
    /** Query rows per block: a block's scores (64 × Lk) stay in L2 between the two products. */
    static final int BLOCK = 64;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    /** Keys visible to query row i: [0, limit). */
    public int limit(int i) { return causal ? Math.max(0, Math.min(lk, i + lk - lq + 1)) : lk; }

    /** Forward pass of pair bh for several query rows. */
    public void forward(Kernels k, int bh, float[] probs, float[] out) {
        float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
        for (int i0 = 0; i0 < lq; i0 += BLOCK) {
            int i1 = Math.min(lq, i0 + BLOCK), kEnd = limit(i1 - 1);
            if (kEnd == 0) continue; // nothing visible: zeros
            int po = (bh * lq + i0) * lk;
            k.matmulSerial(i1 - i0, kEnd, d, qd, qr.at(bh, i0), qr.rowStride(), 1,
                    kd, kr.base()[bh], 1, kr.rowStride(), probs, po, lk, false);
            for (int i = i0; i < i1; i++) softmaxRow(k, bh, i, probs, (bh * lq + i) * lk, kEnd);
            k.matmulSerial(i1 - i0, dv, kEnd, probs, po, lk, 1, vd, vr.base()[bh], vr.rowStride(), 1,
                    out, (bh * lq + i0) * dv, dv, false);
        }
    }

    /** Row {@code ro} holds raw q·k for keys [0, written): scale, bias, mask, softmax; zero the rest of [0, Lk). */
    private void softmaxRow(Kernels k, int bh, int i, float[] probs, int ro, int written) {
        int lim = limit(i);
        float m = k.scaleAddMax(probs, ro, lim, scale, bias, bias == null ? 0 : ro);
        if (pad != null) {
            int pb = (bh / h) * lk;
            m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < lim; j++) {
                if (pad[pb + j] == 0) probs[ro + j] = Float.NEGATIVE_INFINITY;
                else if (probs[ro + j] > m) m = probs[ro + j];
            }
        }
        if (m == Float.NEGATIVE_INFINITY) { // every key masked (or a -inf bias): zeros, never NaN
            Arrays.fill(probs, ro, ro + written, 0f);
            return;
        }
        float sum = k.expShiftSum(probs, ro, m, probs, ro, lim);
        k.scale(probs, ro, 1f / sum, lim);
        if (written > lim) Arrays.fill(probs, ro + lim, ro + written, 0f);
    }

    /** Backward pass of pair bh for several query rows. */
    public void backward(Kernels k, int bh, float[] probs, float[] go, float[] gq, float[] gk, float[] gv, float[] gs) {
        float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
        float[][] holder = SCRATCH.get();
        if (holder[0].length < lq * lk) holder[0] = new float[lq * lk];
        float[] ds = holder[0]; // dP, then dS·scale, for this pair
        int p0 = bh * lq * lk;
        for (int i0 = 0; i0 < lq; i0 += BLOCK) {
            int i1 = Math.min(lq, i0 + BLOCK), kEnd = limit(i1 - 1);
            if (kEnd < lk) for (int i = i0; i < i1; i++) Arrays.fill(ds, i * lk + kEnd, (i + 1) * lk, 0f);
            if (kEnd == 0) continue; // these rows see no key: dQ stays 0
            // dP = dO·Vᵀ
            k.matmulSerial(i1 - i0, kEnd, dv, go, (bh * lq + i0) * dv, dv, 1,
                    vd, vr.base()[bh], 1, vr.rowStride(), ds, i0 * lk, lk, false);
            // dS = P ∘ (dP − Σ_j P·dP), row by row
            for (int i = i0; i < i1; i++) {
                int ro = i * lk, po = p0 + ro;
                float rowDot = k.dot(probs, po, ds, ro, kEnd);
                k.softmaxGrad(probs, po, ds, ro, rowDot, kEnd);
                if (gs != null) System.arraycopy(ds, ro, gs, po, lk);
                k.scale(ds, ro, scale, kEnd);
            }
            // dQ = dS·K·scale
            k.matmulSerial(i1 - i0, d, kEnd, ds, i0 * lk, lk, 1, kd, kr.base()[bh], kr.rowStride(), 1,
                    gq, (bh * lq + i0) * d, d, false);
        }
        // dV = Pᵀ·dO and dK = dSᵀ·Q·scale, per block of keys over the query rows that can see them
        for (int j0 = 0; j0 < lk; j0 += BLOCK) {
            int j1 = Math.min(lk, j0 + BLOCK);
            int iStart = causal ? Math.max(0, j0 - (lk - lq)) : 0;
            k.matmulSerial(j1 - j0, dv, lq - iStart, probs, p0 + iStart * lk + j0, 1, lk,
                    go, (bh * lq + iStart) * dv, dv, 1, gv, (bh * lk + j0) * dv, dv, false);
            k.matmulSerial(j1 - j0, d, lq - iStart, ds, iStart * lk + j0, 1, lk,
                    qd, qr.at(bh, iStart), qr.rowStride(), 1, gk, (bh * lk + j0) * d, d, false);
        }
    }

    /**
     * Query rows at most this many (a decoding step, a short prompt) go one by one through {@link #forwardRows}: the
     * dot products and axpys that decoding runs every step, long compiled by then, where the blocked products of
     * {@link #forward} would run in code the JIT has not yet compiled fully (a 16-token prefill ran them in tier-3
     * code, allocating a box per vector operation).
     */
    public static final int ROWS_ONE_BY_ONE = 16;

    /** Forward pass of pair bh one query row at a time: dot products with the visible keys, softmax, axpys of the values. */
    public void forwardRows(Kernels k, int bh, float[] probs, float[] out) {
        float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
        int kb = kr.base()[bh], kRs = kr.rowStride(), vb = vr.base()[bh], vRs = vr.rowStride();
        for (int i = 0; i < lq; i++) {
            int qo = qr.at(bh, i), po = (bh * lq + i) * lk, lim = limit(i), oo = (bh * lq + i) * dv;
            for (int j = 0; j < lim; j++) probs[po + j] = k.dot(qd, qo, kd, kb + j * kRs, d);
            softmaxRow(k, bh, i, probs, po, lim); // keys past lim: zeros already, as in forward (causal arrays come zeroed)
            // the row is summed into: clear it first, as the caller may hand over a reused array (a workspace's) unzeroed
            Arrays.fill(out, oo, oo + dv, 0f);
            for (int j = 0; j < lim; j++) {
                float p = probs[po + j];
                if (p != 0f) k.axpy(p, vd, vb + j * vRs, out, oo, dv);
            }
        }
    }

    /** Backward pass of pair bh for a single query row. */
    public void backwardOneQuery(Kernels k, int bh, float[] probs, float[] go, float[] gq, float[] gk, float[] gv, float[] gs) {
        float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
        int kb = kr.base()[bh], kRs = kr.rowStride(), vb = vr.base()[bh], vRs = vr.rowStride();
        int po = bh * lk, oo = bh * dv, qo = qr.at(bh, 0), gqo = bh * d;
        float[] dp = new float[lk];
        double rowDot = 0;
        for (int j = 0; j < lk; j++) {
            float p = probs[po + j];
            if (p == 0f) continue;
            k.axpy(p, go, oo, gv, (bh * lk + j) * dv, dv);
            dp[j] = k.dot(go, oo, vd, vb + j * vRs, dv);
            rowDot += p * dp[j];
        }
        for (int j = 0; j < lk; j++) {
            float p = probs[po + j];
            if (p == 0f) continue;
            float s = p * (dp[j] - (float) rowDot);
            if (gs != null) gs[po + j] = s;
            k.axpy(s * scale, kd, kb + j * kRs, gq, gqo, d);
            k.axpy(s * scale, qd, qo, gk, (bh * lk + j) * d, d);
        }
    }

    /**
     * A [B,H,L,D] operand addressed in place: row j of pair bh starts at {@code base[bh] + j*rowStride} and its D
     * elements are contiguous.
     */
    public record Rows(float[] data, int[] base, int rowStride) {
        /** Index of row {@code row} of pair {@code bh}. */
        public int at(int bh, int row) { return base[bh] + row * rowStride; }
    }
}
