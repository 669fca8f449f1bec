package org.ablate.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row vector times matrix, {@code y[0,n) = x[0,k) · B[k,n]}, for products with a single left row (decoding one
 * token). Such a product reads every element of B once and does two flops per element: it is bound by memory
 * bandwidth, so it streams B exactly once, without the packing that {@link Gemm} does, and splits the output
 * columns over the pool so that every core pulls its own share of B.
 *
 * <p>Addressing follows {@link Gemm}: element (p, j) of B is {@code b[bOff + p*bRowStride + j*bColStride]},
 * element p of x is {@code x[xOff + p*xStride]}, y is contiguous from {@code yOff}. Two layouts run vectorised:
 * {@code bRowStride == 1} (B is the transpose of a row-major {@code [n, k]} weight: each output is one contiguous
 * dot product) and {@code bColStride == 1} (B row-major: y accumulates contiguous rows of B scaled by x). Any
 * other layout is a plain strided loop.
 */
public final class Gemv {
    private static final VectorSpecies<Float> S = Gemm.SPECIES == null ? FloatVector.SPECIES_PREFERRED : Gemm.SPECIES;
    private static final boolean SCALAR = Gemm.SPECIES == null;
    /** Below this many multiply-adds the product stays on the calling thread. */
    static final long PARALLEL_MIN = Long.getLong("ablate.gemv.parallelMin", 1L << 15);
    /** Output columns per task in the dot form: small enough to balance, large enough to amortise a task. */
    private static final int DOT_CHUNK = 64;

    private Gemv() {}

    /** y (+)= x·B. See the class comment for addressing. */
    public static void gemv(int n, int k, float[] x, int xOff, int xStride,
                            float[] b, int bOff, int bRowStride, int bColStride,
                            float[] y, int yOff, boolean accumulate) {
        if (n < 0 || k < 0) {
            throw new IllegalArgumentException("gemv: negative size n=" + n + " k=" + k);
        }
        if (n == 0) {
            return;
        }
        if (!accumulate) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        }
        if (k == 0) {
            return;
        }
        float[] xs = x;
        int xo = xOff;
        if (xStride != 1) { // k floats: cheap to make contiguous, and the inner loops then vectorise
            xs = new float[k];
            for (int p = 0; p < k; p++) xs[p] = x[xOff + p * xStride];
            xo = 0;
        }
        boolean parallel = (long) n * k >= PARALLEL_MIN && Parallel.threads() > 1;
        if (bRowStride == 1 && !SCALAR) {
            float[] xv = xs;
            int xv0 = xo;
            int chunks = (n + DOT_CHUNK - 1) / DOT_CHUNK;
            if (parallel) {
                Parallel.parallelFor(chunks, c -> dotRows(c * DOT_CHUNK, Math.min(n, (c + 1) * DOT_CHUNK), k,
                        xv, xv0, b, bOff, bColStride, y, yOff));
            } else {
                dotRows(0, n, k, xv, xv0, b, bOff, bColStride, y, yOff);
            }
        } else if (bColStride == 1 && !SCALAR) {
            float[] xv = xs;
            int xv0 = xo;
            if (parallel) {
                // column blocks, a whole number of vectors each, so every task reads its own stripe of every row
                int lanes = S.length();
                int chunk = Math.max(lanes, (n / (4 * Parallel.threads()) + lanes - 1) / lanes * lanes);
                int chunks = (n + chunk - 1) / chunk;
                Parallel.parallelFor(chunks, c -> axpyRows(c * chunk, Math.min(n, (c + 1) * chunk), k,
                        xv, xv0, b, bOff, bRowStride, y, yOff));
            } else {
                axpyRows(0, n, k, xv, xv0, b, bOff, bRowStride, y, yOff);
            }
        } else {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                int bj = bOff + j * bColStride;
                for (int p = 0; p < k; p++) s += xs[xo + p] * b[bj + p * bRowStride];
                y[yOff + j] += s;
            }
        }
    }

    /** Largest row count {@link #smallM} is meant for: beyond it the packed {@link Gemm} path reuses B better. */
    public static final int SMALL_M = 16;

    /**
     * C (+)= A·B for a few rows of A (a short prompt) when B is the transpose of a row-major weight
     * ({@code bRowStride == 1}) and A's rows are contiguous ({@code aColStride == 1}): each block of 64 weight
     * rows is pulled from memory once and stays in cache while every row of A is dotted with it. Other layouts
     * go to {@link Gemm#sgemm}. C rows are {@code cRowStride} apart, contiguous within a row.
     */
    public static void smallM(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                              float[] b, int bOff, int bRowStride, int bColStride,
                              float[] c, int cOff, int cRowStride, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemv: negative size m=" + m + " n=" + n + " k=" + k);
        }
        if (bRowStride != 1 || aColStride != 1 || SCALAR || k == 0 || m == 0 || n == 0) {
            Gemm.sgemm(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate);
            return;
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * cRowStride, cOff + i * cRowStride + n, 0f);
        }
        int chunks = (n + DOT_CHUNK - 1) / DOT_CHUNK;
        java.util.function.IntConsumer chunk = t -> {
            int j0 = t * DOT_CHUNK, j1 = Math.min(n, j0 + DOT_CHUNK);
            for (int i = 0; i < m; i++) {
                dotRows(j0, j1, k, a, aOff + i * aRowStride, b, bOff, bColStride, c, cOff + i * cRowStride);
            }
        };
        if ((long) m * n * k >= PARALLEL_MIN && Parallel.threads() > 1) {
            Parallel.parallelFor(chunks, chunk);
        } else {
            for (int t = 0; t < chunks; t++) chunk.accept(t);
        }
    }

    /** Plain scalar loop, y (+)= x·B, summing over p in order; the test oracle. */
    public static void reference(int n, int k, float[] x, int xOff, int xStride,
                                 float[] b, int bOff, int bRowStride, int bColStride,
                                 float[] y, int yOff, boolean accumulate) {
        for (int j = 0; j < n; j++) {
            float s = accumulate ? y[yOff + j] : 0f;
            for (int p = 0; p < k; p++) s += x[xOff + p * xStride] * b[bOff + p * bRowStride + j * bColStride];
            y[yOff + j] = s;
        }
    }

    /** Outputs [j0,j1): y[j] += dot(x, row j of B stored contiguously at bOff + j*rowStep), four rows at a time. */
    private static void dotRows(int j0, int j1, int k, float[] x, int xo, float[] b, int bOff, int rowStep,
                                float[] y, int yOff) {
        int lanes = S.length();
        int kv = S.loopBound(k);
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int r0 = bOff + j * rowStep, r1 = r0 + rowStep, r2 = r1 + rowStep, r3 = r2 + rowStep;
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            int p = 0;
            for (; p < kv; p += lanes) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + p);
                a0 = FloatVector.fromArray(S, b, r0 + p).fma(xv, a0);
                a1 = FloatVector.fromArray(S, b, r1 + p).fma(xv, a1);
                a2 = FloatVector.fromArray(S, b, r2 + p).fma(xv, a2);
                a3 = FloatVector.fromArray(S, b, r3 + p).fma(xv, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; p < k; p++) {
                float xp = x[xo + p];
                s0 += xp * b[r0 + p];
                s1 += xp * b[r1 + p];
                s2 += xp * b[r2 + p];
                s3 += xp * b[r3 + p];
            }
            y[yOff + j] += s0;
            y[yOff + j + 1] += s1;
            y[yOff + j + 2] += s2;
            y[yOff + j + 3] += s3;
        }
        for (; j < j1; j++) {
            int r = bOff + j * rowStep;
            FloatVector a = FloatVector.zero(S);
            int p = 0;
            for (; p < kv; p += lanes) {
                a = FloatVector.fromArray(S, b, r + p).fma(FloatVector.fromArray(S, x, xo + p), a);
            }
            float s = a.reduceLanes(VectorOperators.ADD);
            for (; p < k; p++) s += x[xo + p] * b[r + p];
            y[yOff + j] += s;
        }
    }

    /** Outputs [j0,j1): y[j0,j1) += sum_p x[p] * B[p, j0..j1) with B's rows contiguous at bOff + p*rowStep. */
    private static void axpyRows(int j0, int j1, int k, float[] x, int xo, float[] b, int bOff, int rowStep,
                                 float[] y, int yOff) {
        int lanes = S.length();
        int len = j1 - j0;
        int jv = j0 + S.loopBound(len);
        // a block of y stays in registers while the rows stream past: four vectors of outputs at a time
        int j = j0;
        for (; j + 4 * lanes <= jv; j += 4 * lanes) {
            FloatVector c0 = FloatVector.fromArray(S, y, yOff + j), c1 = FloatVector.fromArray(S, y, yOff + j + lanes);
            FloatVector c2 = FloatVector.fromArray(S, y, yOff + j + 2 * lanes), c3 = FloatVector.fromArray(S, y, yOff + j + 3 * lanes);
            for (int p = 0; p < k; p++) {
                FloatVector xp = FloatVector.broadcast(S, x[xo + p]);
                int r = bOff + p * rowStep + j;
                c0 = FloatVector.fromArray(S, b, r).fma(xp, c0);
                c1 = FloatVector.fromArray(S, b, r + lanes).fma(xp, c1);
                c2 = FloatVector.fromArray(S, b, r + 2 * lanes).fma(xp, c2);
                c3 = FloatVector.fromArray(S, b, r + 3 * lanes).fma(xp, c3);
            }
            c0.intoArray(y, yOff + j);
            c1.intoArray(y, yOff + j + lanes);
            c2.intoArray(y, yOff + j + 2 * lanes);
            c3.intoArray(y, yOff + j + 3 * lanes);
        }
        for (; j < jv; j += lanes) {
            FloatVector c = FloatVector.fromArray(S, y, yOff + j);
            for (int p = 0; p < k; p++) {
                c = FloatVector.fromArray(S, b, bOff + p * rowStep + j).fma(FloatVector.broadcast(S, x[xo + p]), c);
            }
            c.intoArray(y, yOff + j);
        }
        for (; j < j1; j++) {
            float s = y[yOff + j];
            for (int p = 0; p < k; p++) s += x[xo + p] * b[bOff + p * rowStep + j];
            y[yOff + j] = s;
        }
    }
}
