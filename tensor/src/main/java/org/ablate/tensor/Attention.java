package org.ablate.tensor;

import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.broadcastShape;
import static org.ablate.tensor.Layout.forEachTask;
import static org.ablate.tensor.Layout.gather;
import static org.ablate.tensor.Layout.sumTo;

import java.util.Arrays;
import org.ablate.tensor.kernels.Gemm;

/** Fused scaled dot-product attention, forward and backward, with causal and key-padding masks and a score bias. */
final class Attention {
    private Attention() {}

    static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor scoreBias, boolean causal,
                                            IntTensor keyPadding, float scale, Tensor[] probsOut) {
        if (q.shape.length != 4 || k.shape.length != 4 || v.shape.length != 4 || q.shape[0] != k.shape[0]
                || q.shape[1] != k.shape[1] || k.shape[0] != v.shape[0] || k.shape[1] != v.shape[1]
                || q.shape[3] != k.shape[3] || k.shape[2] != v.shape[2]) {
            throw new IllegalArgumentException("scaledDotProductAttention: shapes q " + Arrays.toString(q.shape) + ", k "
                    + Arrays.toString(k.shape) + ", v " + Arrays.toString(v.shape)
                    + " do not fit (expected q [B,H,Lq,D], k [B,H,Lk,D], v [B,H,Lk,Dv])");
        }
        int bsz = q.shape[0], h = q.shape[1], lq = q.shape[2], d = q.shape[3], lk = k.shape[2], dv = v.shape[3];
        if (keyPadding != null && (keyPadding.dim() != 2 || keyPadding.size(0) != bsz || keyPadding.size(1) != lk)) {
            throw new IllegalArgumentException("scaledDotProductAttention: keyPadding shape " + Arrays.toString(keyPadding.shape())
                    + " does not fit (expected [" + bsz + ", " + lk + "])");
        }
        int[] ps = {bsz, h, lq, lk};
        float[] bias = null;
        if (scoreBias != null) {
            int[] bs = broadcastShape("scaledDotProductAttention", scoreBias.shape, ps);
            if (!Arrays.equals(bs, ps)) {
                throw new IllegalArgumentException("scaledDotProductAttention: scoreBias shape " + Arrays.toString(scoreBias.shape)
                        + " does not broadcast to " + Arrays.toString(ps));
            }
            bias = gather(scoreBias, ps);
        }
        // read q, k, v in place (a KV cache hands over strided views of a longer buffer): no per-step copies
        Attend at = new Attend(Rows.of(q), Rows.of(k), Rows.of(v), bsz, h, lq, lk, d, dv, bias, causal,
                keyPadding == null ? null : keyPadding.data(), scale);
        float[] probs = new float[bsz * h * lq * lk];
        float[] out = new float[bsz * h * lq * dv];
        // (batch, head) pairs are independent: each task writes only its own rows of probs and out
        forEachTask(bsz * h, bh -> {
            if (lq == 1) at.forwardOneQuery(bh, probs, out);
            else at.forward(bh, probs, out);
        });
        if (probsOut != null && probsOut.length > 0) probsOut[0] = Tensor.of(probs.clone(), ps);
        int[] qs = q.shape.clone(), ks = k.shape.clone(), vs = v.shape.clone();
        int[] biasShape = scoreBias == null ? null : scoreBias.shape;
        return result("scaledDotProductAttention", out, new int[] {bsz, h, lq, dv}, g -> {
            float[] go = g.dense();
            float[] gq = new float[bsz * h * lq * d], gk = new float[bsz * h * lk * d], gv = new float[bsz * h * lk * dv];
            float[] gs = biasShape == null ? null : new float[probs.length];
            // per (batch, head) task: gradients of q, k, v rows of that pair only
            forEachTask(bsz * h, bh -> {
                if (lq == 1) at.backwardOneQuery(bh, probs, go, gq, gk, gv, gs);
                else at.backward(bh, probs, go, gq, gk, gv, gs);
            });
            return new Tensor[] {Tensor.of(gq, qs), Tensor.of(gk, ks), Tensor.of(gv, vs),
                    gs == null ? null : sumTo(Tensor.of(gs, ps), biasShape)};
        }, q, k, v, scoreBias);
    }

    /**
     * The work of one attention call, per (batch, head) pair {@code bh}. Several query rows go through blocked
     * matrix products (scores = Q·Kᵀ, out = P·V, and the five products of the backward pass) on the calling thread,
     * since the pairs are already spread over the pool; under a causal mask each block of query rows multiplies
     * only the keys it can see. A single query row (a decoding step) is a few dot products and axpys over the
     * cached keys and values instead.
     *
     * <p>Probabilities {@code probs} are [B,H,Lq,Lk] row-major; masked entries are exactly 0.
     */
    private record Attend(Rows qr, Rows kr, Rows vr, int bsz, int h, int lq, int lk, int d, int dv, float[] bias,
                          boolean causal, int[] pad, float scale) {
        /** Query rows per block: a block's scores (64 × Lk) stay in L2 between the two products. */
        static final int BLOCK = 64;
        private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

        /** Keys visible to query row i: [0, limit). */
        int limit(int i) { return causal ? Math.max(0, Math.min(lk, i + lk - lq + 1)) : lk; }

        void forward(int bh, float[] probs, float[] out) {
            float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
            for (int i0 = 0; i0 < lq; i0 += BLOCK) {
                int i1 = Math.min(lq, i0 + BLOCK), kEnd = limit(i1 - 1);
                if (kEnd == 0) continue; // nothing visible: zeros
                int po = (bh * lq + i0) * lk;
                Gemm.sgemmSerial(i1 - i0, kEnd, d, qd, qr.at(bh, i0), qr.rowStride(), 1,
                        kd, kr.base()[bh], 1, kr.rowStride(), probs, po, lk, false);
                for (int i = i0; i < i1; i++) softmaxRow(bh, i, probs, (bh * lq + i) * lk, kEnd);
                Gemm.sgemmSerial(i1 - i0, dv, kEnd, probs, po, lk, 1, vd, vr.base()[bh], vr.rowStride(), 1,
                        out, (bh * lq + i0) * dv, dv, false);
            }
        }

        /** Row {@code ro} holds raw q·k for keys [0, written): scale, bias, mask, softmax; zero the rest of [0, Lk). */
        private void softmaxRow(int bh, int i, float[] probs, int ro, int written) {
            int lim = limit(i);
            float m = Simd.scaleAddMax(probs, ro, lim, scale, bias, bias == null ? 0 : ro);
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
            float sum = Simd.expShiftSum(probs, ro, m, probs, ro, lim);
            Simd.scale(probs, ro, 1f / sum, lim);
            if (written > lim) Arrays.fill(probs, ro + lim, ro + written, 0f);
        }

        void backward(int bh, float[] probs, float[] go, float[] gq, float[] gk, float[] gv, float[] gs) {
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
                Gemm.sgemmSerial(i1 - i0, kEnd, dv, go, (bh * lq + i0) * dv, dv, 1,
                        vd, vr.base()[bh], 1, vr.rowStride(), ds, i0 * lk, lk, false);
                // dS = P ∘ (dP − Σ_j P·dP), row by row
                for (int i = i0; i < i1; i++) {
                    int ro = i * lk, po = p0 + ro;
                    float rowDot = Simd.dot(probs, po, ds, ro, kEnd);
                    Simd.softmaxGrad(probs, po, ds, ro, rowDot, kEnd);
                    if (gs != null) System.arraycopy(ds, ro, gs, po, lk);
                    Simd.scale(ds, ro, scale, kEnd);
                }
                // dQ = dS·K·scale
                Gemm.sgemmSerial(i1 - i0, d, kEnd, ds, i0 * lk, lk, 1, kd, kr.base()[bh], kr.rowStride(), 1,
                        gq, (bh * lq + i0) * d, d, false);
            }
            // dV = Pᵀ·dO and dK = dSᵀ·Q·scale, per block of keys over the query rows that can see them
            for (int j0 = 0; j0 < lk; j0 += BLOCK) {
                int j1 = Math.min(lk, j0 + BLOCK);
                int iStart = causal ? Math.max(0, j0 - (lk - lq)) : 0;
                Gemm.sgemmSerial(j1 - j0, dv, lq - iStart, probs, p0 + iStart * lk + j0, 1, lk,
                        go, (bh * lq + iStart) * dv, dv, 1, gv, (bh * lk + j0) * dv, dv, false);
                Gemm.sgemmSerial(j1 - j0, d, lq - iStart, ds, iStart * lk + j0, 1, lk,
                        qd, qr.at(bh, iStart), qr.rowStride(), 1, gk, (bh * lk + j0) * d, d, false);
            }
        }

        void forwardOneQuery(int bh, float[] probs, float[] out) {
            float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
            int kb = kr.base()[bh], kRs = kr.rowStride(), vb = vr.base()[bh], vRs = vr.rowStride();
            int qo = qr.at(bh, 0), po = bh * lk, lim = limit(0);
            for (int j = 0; j < lim; j++) probs[po + j] = Simd.dot(qd, qo, kd, kb + j * kRs, d);
            softmaxRow(bh, 0, probs, po, lim);
            int oo = bh * dv;
            for (int j = 0; j < lim; j++) {
                float p = probs[po + j];
                if (p != 0f) Simd.axpy(p, vd, vb + j * vRs, out, oo, dv);
            }
        }

        void backwardOneQuery(int bh, float[] probs, float[] go, float[] gq, float[] gk, float[] gv, float[] gs) {
            float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
            int kb = kr.base()[bh], kRs = kr.rowStride(), vb = vr.base()[bh], vRs = vr.rowStride();
            int po = bh * lk, oo = bh * dv, qo = qr.at(bh, 0), gqo = bh * d;
            float[] dp = new float[lk];
            double rowDot = 0;
            for (int j = 0; j < lk; j++) {
                float p = probs[po + j];
                if (p == 0f) continue;
                Simd.axpy(p, go, oo, gv, (bh * lk + j) * dv, dv);
                dp[j] = Simd.dot(go, oo, vd, vb + j * vRs, dv);
                rowDot += p * dp[j];
            }
            for (int j = 0; j < lk; j++) {
                float p = probs[po + j];
                if (p == 0f) continue;
                float s = p * (dp[j] - (float) rowDot);
                if (gs != null) gs[po + j] = s;
                Simd.axpy(s * scale, kd, kb + j * kRs, gq, gqo, d);
                Simd.axpy(s * scale, qd, qo, gk, (bh * lk + j) * d, d);
            }
        }
    }

    /**
     * A [B,H,L,D] operand addressed in place: row j of pair bh starts at {@code base[bh] + j*rowStride} and its D
     * elements are contiguous. Operands whose last dim is strided are copied to row-major first.
     */
    private record Rows(float[] data, int[] base, int rowStride) {
        static Rows of(Tensor t) {
            int b = t.shape[0], h = t.shape[1], l = t.shape[2], d = t.shape[3];
            int[] base = new int[b * h];
            if (d > 1 && t.strides[3] != 1) {
                for (int bh = 0; bh < base.length; bh++) base[bh] = bh * l * d;
                return new Rows(t.dense(), base, d);
            }
            for (int bh = 0; bh < base.length; bh++) base[bh] = t.offset + (bh / h) * t.strides[0] + (bh % h) * t.strides[1];
            return new Rows(t.data, base, t.strides[2]);
        }

        int at(int bh, int row) { return base[bh] + row * rowStride; }
    }
}
