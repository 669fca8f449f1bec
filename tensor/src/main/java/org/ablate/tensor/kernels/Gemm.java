package org.ablate.tensor.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply: C[m×n] = A[m×k]·B[k×n], or C += A·B when {@code accumulate}.
 *
 * <p>Every operand is addressed as {@code array[off + row*rowStride + col*colStride]} (C with unit column
 * stride), so transposed and strided views are read in place without copies: panels of A and B are packed
 * into contiguous thread-local buffers before the register-tiled micro-kernel runs over them, which makes
 * the layout of the inputs cost only the packing pass.
 *
 * <p>The SIMD width is {@link FloatVector#SPECIES_PREFERRED} unless the system property
 * {@code ablate.vector.bits} is set to {@code scalar}, {@code 128}, {@code 256} or {@code 512} (read once,
 * when this class is initialised). Large products are split over {@link Parallel}'s pool; small ones run on
 * the calling thread. Results differ from {@link #reference} only by floating-point summation order.
 */
public final class Gemm {
    /** Vector shape used by the fast path; null selects the scalar micro-kernel. */
    static final VectorSpecies<Float> SPECIES = chooseSpecies(System.getProperty("ablate.vector.bits"));
    static final int LANES = SPECIES == null ? 1 : SPECIES.length();
    /** Micro-tile: MR rows of C by NR columns (two vectors) held in registers. */
    static final int MR = 6;
    static final int NR = SPECIES == null ? 4 : 2 * LANES;
    /** Cache blocks: KC deep panels, MC rows of packed A (L2), NC columns of packed B. */
    static final int KC = Integer.getInteger("ablate.gemm.kc", 256);
    static final int MC = roundUp(Integer.getInteger("ablate.gemm.mc", 72), MR);
    static final int NC = roundUp(Integer.getInteger("ablate.gemm.nc", 3072), NR);
    /** Below this many multiply-adds the product runs on the calling thread. */
    static final long PARALLEL_MIN = Long.getLong("ablate.gemm.parallelMin", 64L * 64 * 64);

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Gemm() {
    }

    private static VectorSpecies<Float> chooseSpecies(String bits) {
        if (bits == null || bits.isBlank() || bits.equals("preferred")) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "scalar" -> null;
            case "64" -> FloatVector.SPECIES_64;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException(
                    "ablate.vector.bits must be scalar, 64, 128, 256 or 512, got '" + bits + "'");
        };
    }

    /** One line naming the vector width, tile shape, cache blocks and thread count in use. */
    public static String describe() {
        String width = SPECIES == null ? "scalar" : SPECIES.vectorBitSize() + "-bit (" + LANES + " floats)";
        return "sgemm: vector " + width + ", preferred " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + "-bit, micro-tile " + MR + "x" + NR + ", blocks MC=" + MC + " KC=" + KC + " NC=" + NC
                + ", threads " + Parallel.threads();
    }

    /** C (+)= A·B. See the class comment for addressing. */
    public static void sgemm(int m, int n, int k,
                             float[] a, int aOff, int aRowStride, int aColStride,
                             float[] b, int bOff, int bRowStride, int bColStride,
                             float[] c, int cOff, int cRowStride, boolean accumulate) {
        checkArgs(m, n, k);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * cRowStride, cOff + i * cRowStride + n, 0f);
                }
            }
            return;
        }
        long work = (long) m * n * k;
        int threads = work < PARALLEL_MIN ? 1 : Parallel.threads();
        if (threads == 1) {
            blocked(0, m, 0, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate);
            return;
        }
        // Split the larger of m and n into one chunk per thread, cut on micro-tile boundaries.
        if (m >= n) {
            int tiles = (m + MR - 1) / MR;
            int chunks = Math.min(threads, tiles);
            Parallel.parallelFor(chunks, t -> {
                int i0 = Math.min(m, (int) ((long) tiles * t / chunks) * MR);
                int i1 = Math.min(m, (int) ((long) tiles * (t + 1) / chunks) * MR);
                blocked(i0, i1, 0, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                        c, cOff, cRowStride, accumulate);
            });
        } else {
            int tiles = (n + NR - 1) / NR;
            int chunks = Math.min(threads, tiles);
            Parallel.parallelFor(chunks, t -> {
                int j0 = Math.min(n, (int) ((long) tiles * t / chunks) * NR);
                int j1 = Math.min(n, (int) ((long) tiles * (t + 1) / chunks) * NR);
                blocked(0, m, j0, j1, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                        c, cOff, cRowStride, accumulate);
            });
        }
    }

    /**
     * {@code batch} independent products: C_t (+)= A_t·B_t where operand t starts at {@code off + t*batchStride}
     * (a batch stride of 0 broadcasts that operand). Small matrices are spread over the pool one batch entry
     * per task; large ones use the parallel single-matrix path.
     */
    public static void sgemmBatched(int batch, int m, int n, int k,
                                    float[] a, int aOff, int aBatchStride, int aRowStride, int aColStride,
                                    float[] b, int bOff, int bBatchStride, int bRowStride, int bColStride,
                                    float[] c, int cOff, int cBatchStride, int cRowStride, boolean accumulate) {
        checkArgs(m, n, k);
        if (batch < 0) {
            throw new IllegalArgumentException("sgemmBatched: negative batch " + batch);
        }
        long work = (long) m * n * k;
        if (batch > 1 && m > 0 && n > 0 && k > 0 && work < 4 * PARALLEL_MIN && work * batch >= PARALLEL_MIN) {
            Parallel.parallelFor(batch, t -> blocked(0, m, 0, n, k,
                    a, aOff + t * aBatchStride, aRowStride, aColStride,
                    b, bOff + t * bBatchStride, bRowStride, bColStride,
                    c, cOff + t * cBatchStride, cRowStride, accumulate));
        } else {
            for (int t = 0; t < batch; t++) {
                sgemm(m, n, k, a, aOff + t * aBatchStride, aRowStride, aColStride,
                        b, bOff + t * bBatchStride, bRowStride, bColStride,
                        c, cOff + t * cBatchStride, cRowStride, accumulate);
            }
        }
    }

    /** Plain scalar triple loop, in the same summation order for every element; the test oracle. */
    public static void reference(int m, int n, int k,
                                 float[] a, int aOff, int aRowStride, int aColStride,
                                 float[] b, int bOff, int bRowStride, int bColStride,
                                 float[] c, int cOff, int cRowStride, boolean accumulate) {
        checkArgs(m, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + i * aRowStride + p * aColStride] * b[bOff + p * bRowStride + j * bColStride];
                }
                int ci = cOff + i * cRowStride + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    private static void checkArgs(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
    }

    static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];
    }

    /** Rows [i0,i1) × columns [j0,j1) of C, blocked for the caches, on the calling thread. */
    private static void blocked(int i0, int i1, int j0, int j1, int k,
                                float[] a, int aOff, int aRs, int aCs,
                                float[] b, int bOff, int bRs, int bCs,
                                float[] c, int cOff, int cRs, boolean accumulate) {
        Buffers buf = BUFFERS.get();
        int kcMax = Math.min(KC, k);
        int ncMax = roundUp(Math.min(NC, j1 - j0), NR);
        int mcMax = roundUp(Math.min(MC, i1 - i0), MR);
        if (buf.b.length < kcMax * ncMax) {
            buf.b = new float[kcMax * ncMax];
        }
        if (buf.a.length < kcMax * mcMax) {
            buf.a = new float[kcMax * mcMax];
        }
        float[] pa = buf.a;
        float[] pb = buf.b;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean acc = accumulate || pc > 0;
                packB(pb, kc, nc, b, bOff + pc * bRs + jc * bCs, bRs, bCs);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(pa, mc, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int rows = Math.min(MR, mc - ir);
                            int cAt = cOff + (ic + ir) * cRs + jc + jr;
                            if (SPECIES == null) {
                                microScalar(kc, pa, ir * kc, pb, jr * kc, c, cAt, cRs, rows, cols, acc);
                            } else {
                                microVector(kc, pa, ir * kc, pb, jr * kc, c, cAt, cRs, rows, cols, acc, buf.tile);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Packs an mc×kc block of A into MR-row slivers: sliver s holds, for each p, its MR values (zero padded). */
    private static void packA(float[] dst, int mc, int kc, float[] a, int base, int rs, int cs) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int d0 = ir * kc;
            for (int r = 0; r < rows; r++) {
                int src = base + (ir + r) * rs;
                int d = d0 + r;
                if (cs == 1) {
                    for (int p = 0; p < kc; p++, d += MR) {
                        dst[d] = a[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++, d += MR) {
                        dst[d] = a[src + p * cs];
                    }
                }
            }
            for (int r = rows; r < MR; r++) {
                for (int p = 0, d = d0 + r; p < kc; p++, d += MR) {
                    dst[d] = 0f;
                }
            }
        }
    }

    /** Packs a kc×nc panel of B into NR-column slivers: sliver s holds, for each p, its NR values (zero padded). */
    private static void packB(float[] dst, int kc, int nc, float[] b, int base, int rs, int cs) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int d0 = jr * kc;
            if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    int d = d0 + p * NR;
                    System.arraycopy(b, base + p * rs + jr, dst, d, cols);
                    if (cols < NR) {
                        Arrays.fill(dst, d + cols, d + NR, 0f);
                    }
                }
            } else {
                // Column-major source (a transposed view): walk each column contiguously.
                for (int j = 0; j < cols; j++) {
                    int src = base + (jr + j) * cs;
                    for (int p = 0, d = d0 + j; p < kc; p++, d += NR) {
                        dst[d] = b[src + p * rs];
                    }
                }
                for (int j = cols; j < NR; j++) {
                    for (int p = 0, d = d0 + j; p < kc; p++, d += NR) {
                        dst[d] = 0f;
                    }
                }
            }
        }
    }

    /** MR×NR tile from packed slivers, accumulators in vector registers. */
    private static void microVector(int kc, float[] pa, int ao, float[] pb, int bo,
                                    float[] c, int cAt, int cRs, int rows, int cols, boolean acc, float[] tile) {
        final VectorSpecies<Float> s = SPECIES;
        final int l = LANES;
        FloatVector c00 = FloatVector.zero(s), c01 = FloatVector.zero(s);
        FloatVector c10 = FloatVector.zero(s), c11 = FloatVector.zero(s);
        FloatVector c20 = FloatVector.zero(s), c21 = FloatVector.zero(s);
        FloatVector c30 = FloatVector.zero(s), c31 = FloatVector.zero(s);
        FloatVector c40 = FloatVector.zero(s), c41 = FloatVector.zero(s);
        FloatVector c50 = FloatVector.zero(s), c51 = FloatVector.zero(s);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * 2 * l;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi);
            FloatVector b1 = FloatVector.fromArray(s, pb, bi + l);
            int ai = ao + p * MR;
            FloatVector x = FloatVector.broadcast(s, pa[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(s, pa[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(s, pa[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(s, pa[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(s, pa[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(s, pa[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            store(c, cAt, l, c00, c01, acc);
            store(c, cAt + cRs, l, c10, c11, acc);
            store(c, cAt + 2 * cRs, l, c20, c21, acc);
            store(c, cAt + 3 * cRs, l, c30, c31, acc);
            store(c, cAt + 4 * cRs, l, c40, c41, acc);
            store(c, cAt + 5 * cRs, l, c50, c51, acc);
            return;
        }
        // Edge tile: spill to a scratch tile, then write only the valid part.
        int nr = 2 * l;
        c00.intoArray(tile, 0);
        c01.intoArray(tile, l);
        c10.intoArray(tile, nr);
        c11.intoArray(tile, nr + l);
        c20.intoArray(tile, 2 * nr);
        c21.intoArray(tile, 2 * nr + l);
        c30.intoArray(tile, 3 * nr);
        c31.intoArray(tile, 3 * nr + l);
        c40.intoArray(tile, 4 * nr);
        c41.intoArray(tile, 4 * nr + l);
        c50.intoArray(tile, 5 * nr);
        c51.intoArray(tile, 5 * nr + l);
        for (int r = 0; r < rows; r++) {
            int row = cAt + r * cRs;
            for (int j = 0; j < cols; j++) {
                c[row + j] = acc ? c[row + j] + tile[r * nr + j] : tile[r * nr + j];
            }
        }
    }

    private static void store(float[] c, int at, int l, FloatVector v0, FloatVector v1, boolean acc) {
        if (acc) {
            v0 = v0.add(FloatVector.fromArray(SPECIES, c, at));
            v1 = v1.add(FloatVector.fromArray(SPECIES, c, at + l));
        }
        v0.intoArray(c, at);
        v1.intoArray(c, at + l);
    }

    /** MR×NR tile from packed slivers without SIMD (the {@code ablate.vector.bits=scalar} path). */
    private static void microScalar(int kc, float[] pa, int ao, float[] pb, int bo,
                                    float[] c, int cAt, int cRs, int rows, int cols, boolean acc) {
        float[] t = new float[MR * NR];
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bi = bo + p * NR;
            for (int r = 0; r < MR; r++) {
                float x = pa[ai + r];
                for (int j = 0; j < NR; j++) {
                    t[r * NR + j] += x * pb[bi + j];
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            int row = cAt + r * cRs;
            for (int j = 0; j < cols; j++) {
                c[row + j] = acc ? c[row + j] + t[r * NR + j] : t[r * NR + j];
            }
        }
    }
}
