package org.ablate.tensor.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
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
    /**
     * Fewest weight rows a thread claims at once in the dot form ({@link Parallel#parallelGuided}): about 64 KB of
     * weights, a few microseconds of streaming, so the threads finish close together; whole groups of the rows read
     * at once.
     */
    static int dotGrain(int rowsInFlight, int k) {
        int unit = rowsInFlight == 1 ? 4 : 16;
        int rows = Math.max(1, 16384 / Math.max(1, k));
        return (rows + unit - 1) / unit * unit;
    }

    /**
     * Weight rows a task of the one-row (decoding) form reads at once ({@code ablate.gemv.rows}): 16 interleaved, or 1,
     * one sequential stream per core, which an AMD EPYC streams faster. The same bits either way.
     */
    static final int ROWS_IN_FLIGHT = rowsInFlight(System.getProperty("ablate.gemv.rows"));

    /** {@code ablate.gemv.rows}: 16 when unset, else 1 or 16, as {@code ablate.gemm.mr} is checked. */
    static int rowsInFlight(String value) {
        if (value == null || value.isBlank()) {
            return 16;
        }
        String v = value.strip();
        if (!v.equals("1") && !v.equals("16")) {
            throw new IllegalArgumentException("ablate.gemv.rows must be 1 or 16, got " + v);
        }
        return Integer.parseInt(v);
    }

    private Gemv() {}

    /**
     * The row of k floats at {@code off}, {@code stride} apart: {@code x} itself when they are contiguous, else a copy
     * from index 0 (k floats are cheap to copy, and the inner loops then vectorise).
     */
    private static float[] contiguous(int k, float[] x, int off, int stride) {
        if (stride == 1) return x;
        float[] row = new float[k];
        for (int p = 0; p < k; p++) row[p] = x[off + p * stride];
        return row;
    }

    /** y (+)= x·B. See the class comment for addressing. */
    public static void gemv(int n, int k, float[] x, int xOff, int xStride,
                            float[] b, int bOff, int bRowStride, int bColStride,
                            float[] y, int yOff, boolean accumulate) {
        gemv(ROWS_IN_FLIGHT, n, k, x, xOff, xStride, b, bOff, bRowStride, bColStride, y, yOff, accumulate);
    }

    /** {@link #gemv} reading {@code rowsInFlight} (1 or 16) weight rows at once in the dot form. */
    static void gemv(int rowsInFlight, int n, int k, float[] x, int xOff, int xStride,
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
        float[] xs = contiguous(k, x, xOff, xStride);
        int xo = xs == x ? xOff : 0;
        boolean parallel = (long) n * k >= PARALLEL_MIN && Parallel.threads() > 1;
        if (bRowStride == 1 && !SCALAR) {
            float[] xv = xs;
            int xv0 = xo;
            Parallel.RangeBody rows = rowsInFlight == 1
                    ? (j0, j1) -> streamRows(j0, j1, k, xv, xv0, b, bOff, bColStride, y, yOff)
                    : (j0, j1) -> dotRows(j0, j1, k, xv, xv0, b, bOff, bColStride, y, yOff);
            if (parallel) {
                Parallel.parallelGuided(n, dotGrain(rowsInFlight, k), rows);
            } else {
                rows.run(0, n);
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
     * ({@code bRowStride == 1}) and A's rows are contiguous ({@code aColStride == 1}). The output columns are
     * split over the pool in blocks of 16 to 64 weight rows; within a block, four weight rows at a time are dotted
     * with four rows of A at a time, sixteen sums kept in registers, so each vector loaded (from the weight,
     * which comes from memory once, or from A, which stays in cache) feeds four multiply-adds instead of one.
     * Every output is summed in the same order as {@link #gemv} sums it. Other layouts go to {@link Gemm#sgemm}.
     * C rows are {@code cRowStride} apart, contiguous within a row.
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
        int rows = smallMBlock(k);
        Parallel.RangeBody blocks = (from, to) -> {
            for (int j0 = from; j0 < to; j0 += rows) {
                tiledDots(m, j0, Math.min(to, j0 + rows), k, a, aOff, aRowStride, b, bOff, bColStride, c, cOff, cRowStride);
            }
        };
        if ((long) m * n * k >= PARALLEL_MIN && Parallel.threads() > 1) {
            Parallel.parallelGuided(n, rows, blocks);
        } else {
            blocks.run(0, n);
        }
    }

    /**
     * Weight rows {@link #smallM} sweeps with every row of A before the next block: at most ~192 KB, so that after the
     * first pass over it (the one that pulls it from memory) the passes for the other rows of A find it in the core's
     * L2; 16 to 64 rows.
     */
    private static int smallMBlock(int k) {
        return Math.max(16, Math.min(64, (49152 / k) & ~3));
    }

    /**
     * C (+)= A·Wᵀ for one to {@link #SMALL_M} rows of A when W, row-major {@code [n, k]}, lies in a mapped file region
     * (little-endian float32) from float {@code wOff}, its rows {@code wRowStep} apart. One row of A (a decoding step,
     * bound by memory bandwidth) is dotted with the weight rows straight from the file, sixteen at a time or one after
     * another ({@link #ROWS_IN_FLIGHT}); otherwise each task copies its block of weight rows into a per-thread array
     * ({@link MappedWeights}) and runs the kernel {@link #smallM} runs on such a block. Every output is summed as
     * {@link #gemv} and {@link #smallM} sum it, so the results are the same, bit for bit.
     */
    static void mapped(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                       MemorySegment w, int wOff, int wRowStep, float[] c, int cOff, int cRowStride, boolean accumulate) {
        mapped(ROWS_IN_FLIGHT, m, n, k, a, aOff, aRowStride, aColStride, w, wOff, wRowStep, c, cOff, cRowStride, accumulate);
    }

    /** {@link #mapped} reading {@code rowsInFlight} (1 or 16) weight rows at once for one row of A. */
    static void mapped(int rowsInFlight, int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                       MemorySegment w, int wOff, int wRowStep, float[] c, int cOff, int cRowStride, boolean accumulate) {
        if (m < 1 || m > SMALL_M || n < 0 || k < 0 || SCALAR || (m > 1 && aColStride != 1)) {
            throw new IllegalArgumentException("gemv: mapped weight needs 1 to " + SMALL_M + " rows of A (contiguous when"
                    + " more than one) and the vector kernels; got m=" + m + " n=" + n + " k=" + k + ", A column stride " + aColStride);
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * cRowStride, cOff + i * cRowStride + n, 0f);
        }
        if (n == 0 || k == 0) {
            return;
        }
        float[] xs = contiguous(k, a, aOff, aColStride); // one row (more are contiguous, checked above)
        int xo = xs == a ? aOff : 0;
        float[] av = xs;
        int a0 = xo;
        // the ranges and blocks gemv and smallM use
        int grain = m == 1 ? dotGrain(rowsInFlight, k) : smallMBlock(k);
        Parallel.RangeBody part = (from, to) -> {
            if (m == 1) { // memory-bound: straight from the file
                rowsMapped(rowsInFlight, from, to, k, av, a0, w, wOff, wRowStep, c, cOff);
                return;
            }
            for (int j0 = from; j0 < to; j0 += grain) {
                int j1 = Math.min(to, j0 + grain);
                float[] block = MappedWeights.stage((j1 - j0) * k);
                MappedWeights.copyRows(w, wOff + (long) j0 * wRowStep, wRowStep, j1 - j0, k, block, 0);
                tiledDots(m, 0, j1 - j0, k, av, a0, aRowStride, block, 0, k, c, cOff + j0, cRowStride);
            }
        };
        boolean parallel = (m == 1 ? (long) n * k >= PARALLEL_MIN : (long) m * n * k >= PARALLEL_MIN) && Parallel.threads() > 1;
        if (parallel) {
            Parallel.parallelGuided(n, grain, part);
        } else {
            part.run(0, n);
        }
    }

    /**
     * Outputs [j0,j1) of one row: y[j] += dot(x, weight row j read in place from the file), one row or sixteen at a
     * time (the rest staged).
     */
    private static void rowsMapped(int rowsInFlight, int j0, int j1, int k, float[] x, int xo, MemorySegment w, long wOff,
                                   long rowStep, float[] y, int yOff) {
        if (rowsInFlight == 1) {
            streamRowsMapped(j0, j1, k, x, xo, w, wOff, rowStep, y, yOff);
            return;
        }
        int kv = S.loopBound(k);
        int j = j0;
        for (; j + 16 <= j1; j += 16) dot16Mapped(j, k, kv, x, xo, w, wOff, rowStep, y, yOff);
        if (j < j1) {
            float[] block = MappedWeights.stage((j1 - j) * k);
            MappedWeights.copyRows(w, wOff + (long) j * rowStep, rowStep, j1 - j, k, block, 0);
            dotRows(0, j1 - j, k, x, xo, block, 0, k, y, yOff + j);
        }
    }

    /**
     * One row x times several weights ({@link Kernels#matvecMany}): the weights' rows are numbered one after another
     * and shared out by {@link Parallel#parallelGuided} as one job, each row dotted by the kernel {@link #gemv} or
     * {@link #mapped} would use for it alone, so every output has the same bits as there.
     */
    static void many(int k, float[] x, int xOff, int xStride, Kernels.WeightRows... parts) {
        long work = 0;
        int rows = 0;
        for (Kernels.WeightRows p : parts) {
            if (p.out().length < p.n() || (p.bias() != null && p.bias().length < p.n())) {
                throw new IllegalArgumentException("gemv: a part of " + p.n() + " rows has " + p.out().length
                        + " output floats and " + (p.bias() == null ? "no" : p.bias().length) + " bias floats");
            }
            work += (long) p.n() * k;
            rows = Math.addExact(rows, p.n());
        }
        if (SCALAR || k == 0 || work < PARALLEL_MIN || Parallel.threads() == 1) { // nothing to share out
            for (Kernels.WeightRows p : parts) p.runAlone(Kernels.ACTIVE, k, x, xOff, xStride);
            return;
        }
        for (Kernels.WeightRows p : parts) {
            if (p.bias() != null) System.arraycopy(p.bias(), 0, p.out(), 0, p.n());
            else java.util.Arrays.fill(p.out(), 0, p.n(), 0f);
        }
        float[] xs = contiguous(k, x, xOff, xStride);
        int xo = xs == x ? xOff : 0;
        int[] first = new int[parts.length + 1]; // part i holds rows [first[i], first[i+1]) of the job
        for (int i = 0; i < parts.length; i++) first[i + 1] = first[i] + parts[i].n();
        float[] xv = xs;
        int x0 = xo;
        int inFlight = ROWS_IN_FLIGHT;
        Parallel.parallelGuided(rows, dotGrain(inFlight, k), (from, to) -> {
            for (int i = 0; i < parts.length; i++) {
                int j0 = Math.max(from, first[i]) - first[i], j1 = Math.min(to, first[i + 1]) - first[i];
                if (j0 >= j1) continue;
                Kernels.WeightRows p = parts[i];
                if (p.mapped() != null) rowsMapped(inFlight, j0, j1, k, xv, x0, p.mapped(), 0, k, p.out(), 0);
                else if (inFlight == 1) streamRows(j0, j1, k, xv, x0, p.array(), p.offset(), p.rowStride(), p.out(), 0);
                else dotRows(j0, j1, k, xv, x0, p.array(), p.offset(), p.rowStride(), p.out(), 0);
            }
        });
    }

    /**
     * Outputs [j0,j1) of every row i of C: C[i][j] += dot(row i of A, weight row j), the weight rows contiguous at
     * {@code wOff + j*wRowStep}. Four rows of A at a time sweep the whole block of weight rows in tiles of four
     * (one continuous sweep streams from memory better than a tile at a time); leftover rows of A and weight
     * rows take the one-row path of {@link #dotRows}.
     */
    private static void tiledDots(int m, int j0, int j1, int k, float[] a, int aOff, int aRowStep,
                                  float[] w, int wOff, int wRowStep, float[] c, int cOff, int cRowStep) {
        int m4 = m & ~3;
        int j4 = j0 + ((j1 - j0) & ~3);
        for (int i = 0; i < m4; i += 4) {
            for (int j = j0; j < j4; j += 4) {
                tile4x4(j, k, a, aOff + i * aRowStep, aRowStep, w, wOff, wRowStep, c, cOff + i * cRowStep, cRowStep);
            }
        }
        for (int i = m4; i < m; i++) {
            dotRows(j0, j4, k, a, aOff + i * aRowStep, w, wOff, wRowStep, c, cOff + i * cRowStep);
        }
        if (j4 < j1) {
            for (int i = 0; i < m; i++) {
                dotRows(j4, j1, k, a, aOff + i * aRowStep, w, wOff, wRowStep, c, cOff + i * cRowStep);
            }
        }
    }

    /** C[i][j+q] += dot(A row i, weight row j+q) for i, q in [0, 4): A rows from {@code a0}, C rows from {@code c0}. */
    private static void tile4x4(int j, int k, float[] a, int a0, int aRowStep, float[] w, int wOff, int wRowStep,
                                float[] c, int c0, int cRowStep) {
        int lanes = S.length();
        int kv = S.loopBound(k);
        int a1 = a0 + aRowStep, a2 = a1 + aRowStep, a3 = a2 + aRowStep;
        int w0 = wOff + j * wRowStep, w1 = w0 + wRowStep, w2 = w1 + wRowStep, w3 = w2 + wRowStep;
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        for (int p = 0; p < kv; p += lanes) {
            FloatVector b0 = FloatVector.fromArray(S, w, w0 + p), b1 = FloatVector.fromArray(S, w, w1 + p);
            FloatVector b2 = FloatVector.fromArray(S, w, w2 + p), b3 = FloatVector.fromArray(S, w, w3 + p);
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = FloatVector.fromArray(S, a, a1 + p);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = FloatVector.fromArray(S, a, a2 + p);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = FloatVector.fromArray(S, a, a3 + p);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
            s32 = b2.fma(x, s32);
            s33 = b3.fma(x, s33);
        }
        // the sums through an array: passed to a call the JIT does not inline, a vector would be boxed
        float[] t = LANES.get();
        s00.intoArray(t, 0 * lanes);
        s01.intoArray(t, 1 * lanes);
        s02.intoArray(t, 2 * lanes);
        s03.intoArray(t, 3 * lanes);
        s10.intoArray(t, 4 * lanes);
        s11.intoArray(t, 5 * lanes);
        s12.intoArray(t, 6 * lanes);
        s13.intoArray(t, 7 * lanes);
        s20.intoArray(t, 8 * lanes);
        s21.intoArray(t, 9 * lanes);
        s22.intoArray(t, 10 * lanes);
        s23.intoArray(t, 11 * lanes);
        s30.intoArray(t, 12 * lanes);
        s31.intoArray(t, 13 * lanes);
        s32.intoArray(t, 14 * lanes);
        s33.intoArray(t, 15 * lanes);
        for (int i = 0; i < 4; i++) {
            for (int q = 0; q < 4; q++) {
                finishDot(t, (4 * i + q) * lanes, k, kv, a, a0 + i * aRowStep, w, w0 + q * wRowStep, c, c0 + i * cRowStep + j + q);
            }
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

    /**
     * Outputs [j0,j1): y[j] += dot(x, row j of B stored contiguously at bOff + j*rowStep), sixteen rows at a time,
     * then four, then one. Sixteen rows in flight keep enough independent loads outstanding for one core to
     * stream B at close to memory speed (four rows left it about 15 % short on an Intel Xeon; an AMD EPYC streams
     * faster still one row after another, {@link #streamRows}).
     */
    private static void dotRows(int j0, int j1, int k, float[] x, int xo, float[] b, int bOff, int rowStep,
                                float[] y, int yOff) {
        int lanes = S.length();
        int kv = S.loopBound(k);
        int j = j0;
        for (; j + 16 <= j1; j += 16) {
            dot16(j, k, kv, x, xo, b, bOff, rowStep, y, yOff);
        }
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
            float s0 = LaneSum.sum(a0), s1 = LaneSum.sum(a1);
            float s2 = LaneSum.sum(a2), s3 = LaneSum.sum(a3);
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
            float s = LaneSum.sum(a);
            for (; p < k; p++) s += x[xo + p] * b[r + p];
            y[yOff + j] += s;
        }
    }

    /**
     * {@link #dotRows} one weight row after the other ({@link #ROWS_IN_FLIGHT} = 1): each task reads its block as one
     * sequential stream instead of sixteen interleaved ones, the same sums in the same order.
     */
    private static void streamRows(int j0, int j1, int k, float[] x, int xo, float[] b, int bOff, int rowStep,
                                   float[] y, int yOff) {
        int lanes = S.length();
        int kv = S.loopBound(k);
        for (int j = j0; j < j1; j++) {
            int r = bOff + j * rowStep;
            FloatVector a = FloatVector.zero(S);
            for (int p = 0; p < kv; p += lanes) {
                a = FloatVector.fromArray(S, b, r + p).fma(FloatVector.fromArray(S, x, xo + p), a);
            }
            finishDot(a, k, kv, x, xo, b, r, y, yOff + j);
        }
    }

    /**
     * {@link #streamRows} from a mapped region. Rows that follow one another, a whole number of vectors each, are read
     * by one loop over their bytes, the row's sum closed at each row's end: the JIT compiles loads from a mapped
     * segment in a short inner loop per row (48 vectors for GPT-2's rows) to run 20 % below the same loop over an
     * array, and one long loop brings most of that back (docs/performance.md). Each row is summed in the same order.
     */
    private static void streamRowsMapped(int j0, int j1, int k, float[] x, int xo, MemorySegment w, long wOff, long rowStep,
                                         float[] y, int yOff) {
        int lanes = S.length();
        if (rowStep == k && k % lanes == 0 && k > 0 && j1 > j0) {
            long at = (wOff + (long) j0 * k) * Float.BYTES, end = (wOff + (long) j1 * k) * Float.BYTES;
            long vectorBytes = (long) lanes * Float.BYTES;
            FloatVector a = FloatVector.zero(S);
            int p = 0, j = j0;
            for (; at < end; at += vectorBytes) {
                a = FloatVector.fromMemorySegment(S, w, at, java.nio.ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(S, x, xo + p), a);
                p += lanes;
                if (p == k) {
                    y[yOff + j++] += LaneSum.sum(a);
                    a = FloatVector.zero(S);
                    p = 0;
                }
            }
            return;
        }
        int kv = S.loopBound(k);
        for (int j = j0; j < j1; j++) {
            long r = wOff + j * rowStep;
            long q = r * Float.BYTES;
            FloatVector a = FloatVector.zero(S);
            for (int p = 0; p < kv; p += lanes) {
                a = FloatVector.fromMemorySegment(S, w, q + (long) p * Float.BYTES, java.nio.ByteOrder.LITTLE_ENDIAN)
                        .fma(FloatVector.fromArray(S, x, xo + p), a);
            }
            finishDotMapped(a, k, kv, x, xo, w, r, y, yOff + j);
        }
    }

    /** y[j..j+16) += dot(x, rows j..j+16 of B); each row summed in the same order as the four-row loop. */
    private static void dot16(int j, int k, int kv, float[] x, int xo, float[] b, int bOff, int rowStep,
                              float[] y, int yOff) {
        int lanes = S.length();
        int r0 = bOff + j * rowStep;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (int p = 0; p < kv; p += lanes) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + p);
            int q = r0 + p;
            a0 = FloatVector.fromArray(S, b, q).fma(xv, a0);
            a1 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a1);
            a2 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a2);
            a3 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a3);
            a4 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a4);
            a5 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a5);
            a6 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a6);
            a7 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a7);
            a8 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a8);
            a9 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a9);
            a10 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a10);
            a11 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a11);
            a12 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a12);
            a13 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a13);
            a14 = FloatVector.fromArray(S, b, q += rowStep).fma(xv, a14);
            a15 = FloatVector.fromArray(S, b, q + rowStep).fma(xv, a15);
        }
        int yj = yOff + j;
        // the sums through an array: passed to a call the JIT does not inline, a vector would be boxed
        float[] t = LANES.get();
        a0.intoArray(t, 0 * lanes);
        a1.intoArray(t, 1 * lanes);
        a2.intoArray(t, 2 * lanes);
        a3.intoArray(t, 3 * lanes);
        a4.intoArray(t, 4 * lanes);
        a5.intoArray(t, 5 * lanes);
        a6.intoArray(t, 6 * lanes);
        a7.intoArray(t, 7 * lanes);
        a8.intoArray(t, 8 * lanes);
        a9.intoArray(t, 9 * lanes);
        a10.intoArray(t, 10 * lanes);
        a11.intoArray(t, 11 * lanes);
        a12.intoArray(t, 12 * lanes);
        a13.intoArray(t, 13 * lanes);
        a14.intoArray(t, 14 * lanes);
        a15.intoArray(t, 15 * lanes);
        for (int i = 0; i < 16; i++) finishDot(t, i * lanes, k, kv, x, xo, b, r0 + i * rowStep, y, yj + i);
    }

    /** {@link #dot16} with the weight rows read from a mapped file region: the same loads, in the same order. */
    private static void dot16Mapped(int j, int k, int kv, float[] x, int xo, MemorySegment w, long wOff, long rowStep,
                                    float[] y, int yOff) {
        int lanes = S.length();
        long step = rowStep * Float.BYTES;
        long r0 = (wOff + j * rowStep) * Float.BYTES;
        java.nio.ByteOrder le = java.nio.ByteOrder.LITTLE_ENDIAN;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (int p = 0; p < kv; p += lanes) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + p);
            long q = r0 + (long) p * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(S, w, q, le).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a3);
            a4 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a4);
            a5 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a5);
            a6 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a6);
            a7 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a7);
            a8 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a8);
            a9 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a9);
            a10 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a10);
            a11 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a11);
            a12 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a12);
            a13 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a13);
            a14 = FloatVector.fromMemorySegment(S, w, q += step, le).fma(xv, a14);
            a15 = FloatVector.fromMemorySegment(S, w, q + step, le).fma(xv, a15);
        }
        int yj = yOff + j;
        long r = wOff + j * rowStep;
        // the sums through an array: passed to a call the JIT does not inline, a vector would be boxed
        float[] t = LANES.get();
        a0.intoArray(t, 0 * lanes);
        a1.intoArray(t, 1 * lanes);
        a2.intoArray(t, 2 * lanes);
        a3.intoArray(t, 3 * lanes);
        a4.intoArray(t, 4 * lanes);
        a5.intoArray(t, 5 * lanes);
        a6.intoArray(t, 6 * lanes);
        a7.intoArray(t, 7 * lanes);
        a8.intoArray(t, 8 * lanes);
        a9.intoArray(t, 9 * lanes);
        a10.intoArray(t, 10 * lanes);
        a11.intoArray(t, 11 * lanes);
        a12.intoArray(t, 12 * lanes);
        a13.intoArray(t, 13 * lanes);
        a14.intoArray(t, 14 * lanes);
        a15.intoArray(t, 15 * lanes);
        for (int i = 0; i < 16; i++) finishDotMapped(t, i * lanes, k, kv, x, xo, w, r + i * rowStep, y, yj + i);
    }

    /** Per-thread room for sixteen vectors of sums on their way to {@link #finishDot(float[], int, int, int, float[], int, float[], int, float[], int)}. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[16 * S.length()]);

    /** {@link #finishDot(FloatVector, int, int, float[], int, float[], int, float[], int)} with v's lanes at t[at...]. */
    private static void finishDot(float[] t, int at, int k, int kv, float[] x, int xo, float[] b, int r, float[] y, int yAt) {
        float s = LaneSum.sum(t, at, S.length());
        for (int p = kv; p < k; p++) s += x[xo + p] * b[r + p];
        y[yAt] += s;
    }

    /** {@link #finishDotMapped(FloatVector, int, int, float[], int, MemorySegment, long, float[], int)} with v's lanes at t[at...]. */
    private static void finishDotMapped(float[] t, int at, int k, int kv, float[] x, int xo, MemorySegment w, long r, float[] y, int yAt) {
        float s = LaneSum.sum(t, at, S.length());
        for (int p = kv; p < k; p++) s += x[xo + p] * w.getAtIndex(MappedWeights.FLOAT, r + p);
        y[yAt] += s;
    }

    /** {@link #finishDot} with the row at float {@code r} of a mapped region. */
    private static void finishDotMapped(FloatVector v, int k, int kv, float[] x, int xo, MemorySegment w, long r, float[] y, int yAt) {
        float s = LaneSum.sum(v);
        for (int p = kv; p < k; p++) s += x[xo + p] * w.getAtIndex(MappedWeights.FLOAT, r + p);
        y[yAt] += s;
    }

    /** y[yAt] += (lanes of v summed) + the scalar tail [kv, k) of dot(x, the row of B at r). */
    private static void finishDot(FloatVector v, int k, int kv, float[] x, int xo, float[] b, int r, float[] y, int yAt) {
        float s = LaneSum.sum(v);
        for (int p = kv; p < k; p++) s += x[xo + p] * b[r + p];
        y[yAt] += s;
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
