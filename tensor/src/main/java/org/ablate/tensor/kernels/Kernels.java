package org.ablate.tensor.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The compute kernels behind every tensor op: the one seam between the ops (shapes, broadcasting, autograd) and
 * the loops that do the arithmetic. The engine uses a single implementation, {@link #ACTIVE}, chosen once when this
 * interface is initialised from the system property {@code ablate.vector.bits}:
 *
 * <ul>
 *   <li>unset, {@code preferred}, {@code 64}, {@code 128}, {@code 256} or {@code 512}: {@link VectorKernels}, the
 *       Vector API kernels at that width (the preferred one by default);</li>
 *   <li>{@code scalar}: {@link ScalarKernels}, plain loops that sum in index order, the reference every vector
 *       width is tested against.</li>
 * </ul>
 *
 * <p>Operands are {@code float[]} arrays with offsets (and strides for matrix products), exactly as the ops hold
 * them; ranges {@code [from, to)} let the ops split one call over the pool. Kernels never allocate results: the
 * caller passes every output array. Unless a method says otherwise, outputs are overwritten, not accumulated.
 *
 * <p>Attention has two entry points ({@link #attentionForward}, {@link #attentionBackward}) whose default bodies
 * compose this interface's own matrix-product, softmax and vector kernels, so every backend runs it; a backend with a
 * fused attention kernel overrides them.
 */
public interface Kernels {
    /** The backend every op uses, fixed for the life of the JVM. */
    Kernels ACTIVE = VectorWidth.SPECIES == null ? new ScalarKernels() : new VectorKernels();

    /** One line naming the backend and its width. */
    String describe();

    // ------------------------------------------------------------------ matrix products

    /**
     * C (+)= A·B, C row-major [m, n] with row stride {@code cRs}; element (i, p) of A is
     * {@code a[aOff + i*aRs + p*aCs]}, element (p, j) of B is {@code b[bOff + p*bRs + j*bCs]}. May split the work
     * over {@link Parallel}'s pool. Covers the matrix-vector case ({@code m == 1}).
     */
    void matmul(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                float[] c, int cOff, int cRs, boolean accumulate);

    /**
     * {@link #matmul} with B read from a file region (little-endian float32, as a memory-mapped weight holds it);
     * {@code bOff} counts floats. Gives the same result as {@link #matmul} over an array holding the same values. This
     * default copies the part of B the product reads into an array first; the vector backend reads it in place.
     */
    default void matmul(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, MemorySegment b, int bOff, int bRs,
                        int bCs, float[] c, int cOff, int cRs, boolean accumulate) {
        if (m == 0 || n == 0 || k == 0) {
            matmul(m, n, k, a, aOff, aRs, aCs, new float[0], 0, bRs, bCs, c, cOff, cRs, accumulate);
            return;
        }
        // elements (p, j) of B lie between bOff and the last one read
        long last = bOff + (long) (k - 1) * bRs + (long) (n - 1) * bCs;
        float[] copy = new float[Math.toIntExact(last - bOff + 1)];
        MappedWeights.copyRows(b, bOff, copy.length, 1, copy.length, copy, 0);
        matmul(m, n, k, a, aOff, aRs, aCs, copy, 0, bRs, bCs, c, cOff, cRs, accumulate);
    }

    /**
     * C = bias + A·B: every row of C (contiguous, {@code cRs} apart) starts as {@code bias} ({@code n} floats) and the
     * product accumulates onto it, as a linear layer needs. This default fills C and calls {@link #matmul}; the vector
     * backend adds the bias inside the packed product instead of passing over C first, with the same bits.
     */
    default void matmulBias(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                            float[] bias, float[] c, int cOff, int cRs) {
        for (int i = 0; i < m; i++) System.arraycopy(bias, 0, c, cOff + i * cRs, n);
        matmul(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, true);
    }

    /** {@link #matmulBias} with B a mapped file region, as in {@link #matmul(int, int, int, float[], int, int, int, MemorySegment, int, int, int, float[], int, int, boolean)}. */
    default void matmulBias(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, MemorySegment b, int bOff, int bRs,
                            int bCs, float[] bias, float[] c, int cOff, int cRs) {
        for (int i = 0; i < m; i++) System.arraycopy(bias, 0, c, cOff + i * cRs, n);
        matmul(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, true);
    }

    /**
     * Weight rows one row of A is multiplied with in {@link #matvecMany}: {@code n} output floats into {@code out}
     * (from 0), starting as {@code bias} ({@code n} floats) or zero; weight row j holds k contiguous floats at
     * {@code offset + j*rowStride} of {@code array}, or at float {@code j*k} of {@code mapped} when that is not null
     * (a whole [n, k] weight in a file).
     */
    record WeightRows(int n, float[] array, int offset, int rowStride, MemorySegment mapped, float[] bias, float[] out) {
        void runAlone(Kernels kernels, int k, float[] x, int xOff, int xStride) {
            if (mapped != null) {
                if (bias != null) kernels.matmulBias(1, n, k, x, xOff, k, xStride, mapped, 0, 1, k, bias, out, 0, n);
                else kernels.matmul(1, n, k, x, xOff, k, xStride, mapped, 0, 1, k, out, 0, n, false);
            } else if (bias != null) {
                kernels.matmulBias(1, n, k, x, xOff, k, xStride, array, offset, 1, rowStride, bias, out, 0, n);
            } else {
                kernels.matmul(1, n, k, x, xOff, k, xStride, array, offset, 1, rowStride, out, 0, n, false);
            }
        }
    }

    /**
     * One row x of A ({@code k} floats, {@code xStride} apart) times several weights, each part's outputs exactly what
     * {@link #matmulBias} (or {@link #matmul} without a bias) gives for it alone. This default runs the parts one after
     * another; the vector backend shares all their rows out in one job, so a decoding step's projections of the same
     * input cost the pool one hand-off instead of one each.
     */
    default void matvecMany(int k, float[] x, int xOff, int xStride, WeightRows... parts) {
        for (WeightRows part : parts) part.runAlone(this, k, x, xOff, xStride);
    }

    /** {@link #matmul} on the calling thread only, for callers that already spread independent products over the pool. */
    void matmulSerial(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                      float[] c, int cOff, int cRs, boolean accumulate);

    // ------------------------------------------------------------------ elementwise maps

    /** Binary operator codes of {@link #binary}. */
    int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    /** out[i] = a[i] op b[i] for from <= i < to; op is {@link #ADD}, {@link #SUB}, {@link #MUL} or {@link #DIV}. */
    void binary(int op, float[] a, float[] b, float[] out, int from, int to);

    /** out[i] = x·Φ(x) (exact-erf GELU) for from <= i < to. */
    void gelu(float[] x, float[] out, int from, int to);

    /** gx[i] = g[i]·GELU'(x[i]) for from <= i < to. */
    void geluBackward(float[] x, float[] g, float[] gx, int from, int to);

    /** out[i] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) for from <= i < to. */
    void geluTanh(float[] x, float[] out, int from, int to);

    /** gx[i] = g[i]·(d geluTanh/dx)(x[i]) for from <= i < to. */
    void geluTanhBackward(float[] x, float[] g, float[] gx, int from, int to);

    // ------------------------------------------------------------------ reductions and vector primitives

    /** Sum of a[off .. off+n). */
    float sum(float[] a, int off, int n);

    /** Maximum of a[off .. off+n) (−∞ when n is 0). */
    float max(float[] a, int off, int n);

    /** Σ a[ao+i]·b[bo+i] over n elements. */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** y[yo+i] += alpha·x[xo+i] over n elements. */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

    /** a[off+i] *= k over n elements. */
    void scale(float[] a, int off, float k, int n);

    /** out[oo+i] = a[ao+i] + k over n elements. */
    void addScalar(float[] a, int ao, float k, float[] out, int oo, int n);

    // ------------------------------------------------------------------ softmax

    /** out[oo+i] = e^(a[ao+i] − shift) over n elements; returns the sum of the results. */
    float expShiftSum(float[] a, int ao, float shift, float[] out, int oo, int n);

    /** out[oo+i] = k·e^(a[ao+i]) − shift over n elements (the cross-entropy gradient from log-probabilities). */
    void expScaleShift(float[] a, int ao, float k, float shift, float[] out, int oo, int n);

    /** a[off+i] = a[off+i]·scale (+ bias[bo+i] when bias is not null) over n elements; returns their maximum. */
    float scaleAddMax(float[] a, int off, int n, float scale, float[] bias, int bo);

    /** Softmax backward in place: g[go+i] = p[po+i]·(g[go+i] − rowDot) over n elements. */
    void softmaxGrad(float[] p, int po, float[] g, int go, float rowDot, int n);

    // ------------------------------------------------------------------ norms

    /** Σ (a[off+i] − mean)² over n elements. */
    float sumSquaredDeviation(float[] a, int off, int n, float mean);

    /**
     * Layer-norm output of one row at {@code off}: xhat = (x − mean)·rs, y = xhat·w + b (w, b null for 1 and 0; indexed
     * from 0), written at the same offset in xhat (skipped when null) and y.
     */
    void normalize(float[] x, int off, int n, float mean, float rs, float[] w, float[] b, float[] xhat, float[] y);

    /** Layer-norm input gradient of one row at {@code off}: with dh = g·w, gx = rs·(dh − mean(dh) − xhat·mean(dh·xhat)). */
    void layerNormRowBackward(float[] g, float[] xhat, float[] w, int off, int n, float rs, float[] gx);

    /** Norm parameter gradients over columns [c0, c1) of {@code rows} rows of n: gw[c] += Σ g·xhat, gb[c] += Σ g (either may be null). */
    void normParamGrads(float[] g, float[] xhat, int rows, int n, int c0, int c1, float[] gw, float[] gb);

    /** y[off+i] = x[off+i]·k·w[i] over n elements (w null for 1). */
    void scaleRow(float[] x, int off, int n, float k, float[] w, float[] y);

    // ------------------------------------------------------------------ attention

    /** Forward pass of one (batch, head) pair {@code bh}: its rows of {@code probs} and {@code out}. See {@link Attend}. */
    default void attentionForward(Attend a, int bh, float[] probs, float[] out) {
        if (a.lq() <= Attend.ROWS_ONE_BY_ONE) a.forwardRows(this, bh, probs, out);
        else a.forward(this, bh, probs, out);
    }

    /** Backward pass of one (batch, head) pair: adds its gradients into gq, gk, gv and (when not null) gs. See {@link Attend}. */
    default void attentionBackward(Attend a, int bh, float[] probs, float[] go, float[] gq, float[] gk, float[] gv, float[] gs) {
        if (a.lq() == 1) a.backwardOneQuery(this, bh, probs, go, gq, gk, gv, gs);
        else a.backward(this, bh, probs, go, gq, gk, gv, gs);
    }
}
