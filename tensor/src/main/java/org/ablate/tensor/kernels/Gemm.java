package org.ablate.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>The SIMD width is {@link VectorWidth#SPECIES}: {@link FloatVector#SPECIES_PREFERRED} unless the system
 * property {@code ablate.vector.bits} is set to {@code scalar}, {@code 128}, {@code 256} or {@code 512} (read once). Large products are split over {@link Parallel}'s pool; small ones run on
 * the calling thread. Results differ from {@link #reference} only by floating-point summation order.
 */
public final class Gemm {
    /** Vector shape used by the fast path; null selects the scalar micro-kernel. */
    static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    static final int LANES = SPECIES == null ? 1 : SPECIES.length();
    /**
     * Micro-tile: MR rows of C by NR columns (two vectors) held in registers. 512-bit vectors come with 32
     * registers: 8×2 accumulators there (12×2 measured no faster); narrower ones get 6×2 (16 registers).
     */
    static final int MR = SPECIES == null ? 6
            : LANES >= 16 ? tileRows(System.getProperty("ablate.gemm.mr"), 8) : 6;
    static final int NR = SPECIES == null ? 4 : 2 * LANES;
    /** Cache blocks: KC deep panels, MC rows of packed A (L2), NC columns of packed B. */
    /**
     * Floats before the first packed B sliver in its buffer ({@code ablate.gemm.bAlign}, default 0). The micro-kernel
     * loads two vectors of B per step; a 64-byte vector that straddles two cache lines takes two of the load ports'
     * turns, and with the eight broadcasts of A beside them that is what the 8-row kernel waits on. Arrays start
     * 16 bytes past an object boundary, so under {@code -XX:ObjectAlignmentInBytes=64} a start of 12 floats puts
     * every sliver row on a cache line of its own (W4 4–12 % faster; docs/performance.md). ./ablate sets both.
     */
    static final int B_ALIGN = Integer.getInteger("ablate.gemm.bAlign", 0);
    static final int KC = Integer.getInteger("ablate.gemm.kc", 512);
    static final int MC = roundUp(Integer.getInteger("ablate.gemm.mc", 72), MR);
    static final int NC = roundUp(Integer.getInteger("ablate.gemm.nc", 3072), NR);
    /** One sliver of packed A (MR floats) as a vector, for copying slivers whole; null when MR is not 8. */
    private static final VectorSpecies<Float> SLIVER = SPECIES != null && MR == 8 ? FloatVector.SPECIES_256 : null;
    /** Depth of the blocks in which a transposed B is packed (see packB). */
    private static final int TP = 64;
    /** Below this many multiply-adds the product runs on the calling thread. */
    static final long PARALLEL_MIN = Long.getLong("ablate.gemm.parallelMin", 64L * 64 * 64);

    /** Up to this many rows of A, B is streamed directly (matrix-vector style) instead of being packed. */
    static final int SKINNY_ROWS = 2;

    /** What a product's first panel adds its sums to when it has no bias (see macro). */
    private static final float[] ZEROS = new float[NR];
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Gemm() {
    }

    private static int tileRows(String value, int preferred) {
        if (value == null || value.isBlank()) {
            return preferred;
        }
        int rows = Integer.parseInt(value.trim());
        if (rows != 6 && rows != 8 && rows != 12) {
            throw new IllegalArgumentException("ablate.gemm.mr must be 6, 8 or 12, got " + rows);
        }
        return rows;
    }

    /** One line naming the vector width, tile shape, cache blocks and thread count in use. */
    public static String describe() {
        String width = SPECIES == null ? "scalar" : SPECIES.vectorBitSize() + "-bit (" + LANES + " floats)";
        return "sgemm: vector " + width + ", preferred " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + "-bit, micro-tile " + MR + "x" + NR + ", blocks MC=" + MC + " KC=" + KC + " NC=" + NC
                + ", column groups " + GROUP_FLOATS / 1024 + "Ki floats, threads " + Parallel.threads();
    }

    /** C (+)= A·B. See the class comment for addressing. */
    public static void sgemm(int m, int n, int k,
                             float[] a, int aOff, int aRowStride, int aColStride,
                             float[] b, int bOff, int bRowStride, int bColStride,
                             float[] c, int cOff, int cRowStride, boolean accumulate) {
        start(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, cRowStride, accumulate, null);
    }

    /**
     * C = bias + A·B, {@code bias} (n floats) added to every row of C: the same bits as filling C's rows with the bias
     * and accumulating the product onto them, without that pass over C (the first k panel adds the bias where it
     * would have read C). B is an array or a mapped region ({@link MemorySegment}).
     */
    public static void sgemmBias(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                                 Object b, int bOff, int bRowStride, int bColStride, float[] bias,
                                 float[] c, int cOff, int cRowStride) {
        if (SPECIES == null || MR != 8 || m <= SKINNY_ROWS || k == 0) { // kernels without the bias: fill C first
            for (int i = 0; i < m; i++) System.arraycopy(bias, 0, c, cOff + i * cRowStride, n);
            start(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, cRowStride, true, null);
            return;
        }
        start(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, cRowStride, false, bias);
    }

    /**
     * {@link #sgemm} with B an array or a mapped region and an optional {@code bias} (see {@link #sgemmBias}): the
     * product on the pool, or here when it is small.
     */
    private static void start(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                              Object b, int bOff, int bRowStride, int bColStride,
                              float[] c, int cOff, int cRowStride, boolean accumulate, float[] bias) {
        if (trivial(m, n, k, c, cOff, cRowStride, accumulate)) {
            return;
        }
        long work = (long) m * n * k;
        int threads = work < PARALLEL_MIN ? 1 : Parallel.threads();
        run(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, cRowStride,
                accumulate, threads, bias);
    }

    /**
     * C (+)= A·B on the calling thread only, for callers that already spread independent products over the pool
     * (one attention head per task, say). Same addressing as {@link #sgemm}.
     */
    public static void sgemmSerial(int m, int n, int k,
                                   float[] a, int aOff, int aRowStride, int aColStride,
                                   float[] b, int bOff, int bRowStride, int bColStride,
                                   float[] c, int cOff, int cRowStride, boolean accumulate) {
        if (trivial(m, n, k, c, cOff, cRowStride, accumulate)) {
            return;
        }
        run(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, cRowStride,
                accumulate, 1, null);
    }

    /** Checks sizes; true when nothing is left to do (an empty C, or k = 0 which only clears C). */
    private static boolean trivial(int m, int n, int k, float[] c, int cOff, int cRowStride, boolean accumulate) {
        checkArgs(m, n, k);
        if (m == 0 || n == 0) {
            return true;
        }
        if (k == 0 && !accumulate) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * cRowStride, cOff + i * cRowStride + n, 0f);
            }
        }
        return k == 0;
    }

    /** {@code bias}: null, or added to C's rows by the first k panel (only when not accumulating; see sgemmBias). */
    private static void run(int m, int n, int k,
                            float[] a, int aOff, int aRowStride, int aColStride,
                            Object b, int bOff, int bRowStride, int bColStride,
                            float[] c, int cOff, int cRowStride, boolean accumulate, int threads, float[] bias) {
        if (m <= SKINNY_ROWS && (bColStride == 1 || (bRowStride == 1 && aColStride == 1)) && b instanceof float[] bArray) {
            skinny(m, n, k, a, aOff, aRowStride, aColStride, bArray, bOff, bRowStride, bColStride, c, cOff, cRowStride,
                    accumulate, threads);
            return;
        }
        if (threads == 1) {
            blocked(0, m, 0, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate, bias, false);
            return;
        }
        boolean fewBlocks = homes(m, k, threads) == 1;
        ScheduleChoice choice = fewBlocks && SCHEDULE == Schedule.AUTO
                ? ScheduleChoice.of(m, n, k, aColStride != 1, bColStride != 1, b instanceof float[]) : null;
        boolean split = fewBlocks && (SCHEDULE == Schedule.SPLIT || choice != null && choice.nextIsSplit());
        long started = choice != null ? System.nanoTime() : 0L; // only a choice is timed
        if (split) {
            split(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate, threads, bias);
        } else {
            parallelBlocked(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate, threads, bias);
        }
        if (choice != null) {
            choice.record(split, System.nanoTime() - started);
        }
    }

    /**
     * For a benchmark's report: the share of this process's products of shape m×n×k (row-major A and B, both arrays)
     * that ran the split schedule, or NaN when none of that shape chose a schedule (see {@link Schedule}).
     */
    public static double splitShare(int m, int n, int k) {
        ScheduleChoice choice = ScheduleChoice.existing(m, n, k, false, false, true);
        long[] counts = choice == null ? new long[2] : choice.counts();
        return counts[0] == 0 ? Double.NaN : counts[1] / (double) counts[0];
    }

    /**
     * How a product with too few row blocks for a home per thread is spread over the threads
     * ({@code ablate.gemm.schedule}, default auto): {@code shared} packs B's panels and A's row blocks once, into
     * buffers every thread reads, and the threads claim tasks as they go ({@link #parallelBlocked}); {@code split}
     * gives each thread one strip of C and has it pack what its strip needs itself ({@link #split}); {@code auto}
     * times both for each shape and runs the faster ({@link ScheduleChoice}). Both give the same bits.
     */
    enum Schedule { AUTO, SHARED, SPLIT }

    static final Schedule SCHEDULE = schedule(System.getProperty("ablate.gemm.schedule"));

    static Schedule schedule(String value) {
        if (value == null || value.isBlank()) {
            return Schedule.AUTO;
        }
        return switch (value.trim()) {
            case "auto" -> Schedule.AUTO;
            case "shared" -> Schedule.SHARED;
            case "split" -> Schedule.SPLIT;
            default -> throw new IllegalArgumentException(
                    "ablate.gemm.schedule must be auto, shared or split, got '" + value + "'");
        };
    }

    /**
     * The product as one strip of C per thread, rows when m ≥ n, else columns, each thread running the serial
     * blocked product over its strip with its own packed panels: the other operand (B for row strips, A for column
     * strips) is packed once per thread instead of once, but nothing one thread writes is read by another, and a
     * thread keeps the same strip of C from call to call. When the host puts two vCPUs on cores that share no cache,
     * every cache line that crosses costs ~400 ns, and the shared schedule of a 256³ product ran at ~255 GFLOP/s
     * against ~400 with the cores together; this one ran at 310–375 apart and 2–3 % below the shared one together
     * (docs/performance.md). A thread takes its own strip first (runByHome), then any strip not yet started.
     */
    static void split(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, Object b, int bOff, int bRs, int bCs,
                      float[] c, int cOff, int cRs, boolean accumulate, int threads, float[] bias) {
        boolean byRows = m >= n;
        int strip = byRows ? roundUp((m + threads - 1) / threads, MR) : roundUp((n + threads - 1) / threads, NR);
        int extent = byRows ? m : n;
        runByHome(threads, h -> 1, (h, i) -> {
            int from = h * strip, to = Math.min(extent, from + strip);
            if (from >= to) {
                return;
            }
            if (byRows) {
                blocked(from, to, 0, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate, bias, true);
            } else {
                blocked(0, m, from, to, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate, bias, true);
            }
        });
    }

    /**
     * C (+)= A·B with B in a mapped file region (little-endian float32; {@code bOff} counts floats): B's panels are
     * packed straight from the file, so the result is bit for bit that of {@link #sgemm} over the same values.
     */
    public static void sgemm(int m, int n, int k,
                             float[] a, int aOff, int aRowStride, int aColStride,
                             MemorySegment b, int bOff, int bRowStride, int bColStride,
                             float[] c, int cOff, int cRowStride, boolean accumulate) {
        start(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, cRowStride, accumulate, null);
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
                    c, cOff + t * cBatchStride, cRowStride, accumulate, null, false));
        } else {
            for (int t = 0; t < batch; t++) {
                sgemm(m, n, k, a, aOff + t * aBatchStride, aRowStride, aColStride,
                        b, bOff + t * bBatchStride, bRowStride, bColStride,
                        c, cOff + t * cBatchStride, cRowStride, accumulate);
            }
        }
    }

    /**
     * Products with one or two rows of A (decoding one token, say): packing B would cost as much as the product,
     * so B is read in place, either as rows (unit column stride: C row += a·B row) or as contiguous columns
     * (unit row stride with a contiguous A row: dot products). Columns are split over the pool when large.
     */
    private static void skinny(int m, int n, int k,
                               float[] a, int aOff, int aRs, int aCs,
                               float[] b, int bOff, int bRs, int bCs,
                               float[] c, int cOff, int cRs, boolean accumulate, int threads) {
        int parts = threads == 1 ? 1 : Math.min(threads * 4, Math.max(1, n / 256));
        Parallel.parallelFor(parts, t -> {
            int j0 = (int) ((long) n * t / parts);
            int j1 = (int) ((long) n * (t + 1) / parts);
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * cRs;
                int ai = aOff + i * aRs;
                if (bCs == 1) {
                    rowTimesRows(k, j0, j1, a, ai, aCs, b, bOff, bRs, c, ci, accumulate);
                } else {
                    for (int j = j0; j < j1; j++) {
                        float d = dot(k, a, ai, b, bOff + j * bCs);
                        c[ci + j] = accumulate ? c[ci + j] + d : d;
                    }
                }
            }
        });
    }

    /** c[ci+j] (+)= Σ_p a[ai+p·aCs]·b[bOff+p·bRs+j] for j in [j0,j1), in column chunks that stay in L1. */
    private static void rowTimesRows(int k, int j0, int j1, float[] a, int ai, int aCs, float[] b, int bOff, int bRs,
                                     float[] c, int ci, boolean accumulate) {
        final int chunk = 2048;
        for (int jb = j0; jb < j1; jb += chunk) {
            int je = Math.min(j1, jb + chunk);
            if (!accumulate) {
                Arrays.fill(c, ci + jb, ci + je, 0f);
            }
            for (int p = 0; p < k; p++) {
                float av = a[ai + p * aCs];
                int bp = bOff + p * bRs;
                int j = jb;
                if (SPECIES != null) {
                    FloatVector x = FloatVector.broadcast(SPECIES, av);
                    for (int upper = je - LANES; j <= upper; j += LANES) {
                        x.fma(FloatVector.fromArray(SPECIES, b, bp + j), FloatVector.fromArray(SPECIES, c, ci + j))
                                .intoArray(c, ci + j);
                    }
                }
                for (; j < je; j++) {
                    c[ci + j] += av * b[bp + j];
                }
            }
        }
    }

    /** Σ_p x[xi+p]·y[yi+p], with two vector accumulators. */
    private static float dot(int k, float[] x, int xi, float[] y, int yi) {
        int p = 0;
        float s = 0f;
        if (SPECIES != null) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = FloatVector.zero(SPECIES);
            for (int upper = k - 2 * LANES; p <= upper; p += 2 * LANES) {
                s0 = FloatVector.fromArray(SPECIES, x, xi + p).fma(FloatVector.fromArray(SPECIES, y, yi + p), s0);
                s1 = FloatVector.fromArray(SPECIES, x, xi + p + LANES)
                        .fma(FloatVector.fromArray(SPECIES, y, yi + p + LANES), s1);
            }
            s = LaneSum.sum(s0.add(s1));
        }
        for (; p < k; p++) {
            s += x[xi + p] * y[yi + p];
        }
        return s;
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

    /**
     * Per-thread packing buffers, grown on demand and reused across calls: two sets, the second for the step packed
     * while the first set's step computes (see parallelBlocked).
     */
    private static final class Buffers {
        private final float[][] a = {new float[0], new float[0]};
        private final float[][] b = {new float[0], new float[0]};
        final float[] tile = new float[MR * NR];
        /** Each tile's sums between the parts of a k panel ({@link #K_PART}): MR × NR floats per MR rows of a block. */
        final float[] part = new float[roundUp(MC, MR) * NR];

        float[] packedA(int size, int set) {
            if (a[set].length < size) {
                a[set] = new float[size];
            }
            return a[set];
        }

        /** B's panels start {@link #B_ALIGN} floats in. */
        float[] packedB(int size, int set) {
            if (b[set].length < size + B_ALIGN) {
                b[set] = new float[size + B_ALIGN];
            }
            return b[set];
        }
    }

    /**
     * Rows [i0,i1) × columns [j0,j1) of C, blocked for the caches, on the calling thread; {@code inRegisters} as for
     * packA (true for a strip of a large product, false for a small product on the calling thread).
     */
    private static void blocked(int i0, int i1, int j0, int j1, int k,
                                float[] a, int aOff, int aRs, int aCs,
                                Object b, int bOff, int bRs, int bCs,
                                float[] c, int cOff, int cRs, boolean accumulate, float[] bias, boolean inRegisters) {
        Buffers buf = BUFFERS.get();
        float[] pb = buf.packedB(Math.min(KC, k) * roundUp(Math.min(NC, j1 - j0), NR), 0);
        float[] pa = buf.packedA(Math.min(KC, k) * roundUp(Math.min(MC, i1 - i0), MR), 0);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean acc = accumulate || pc > 0;
                packAny(pb, kc, 0, nc, nc, b, bOff + pc * bRs + jc * bCs, bRs, bCs, inRegisters);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(pa, 0, mc, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs, inRegisters);
                    macro(pa, 0, pb, mc, kc, 0, nc, c, cOff + ic * cRs + jc, cRs, acc, buf.tile, acc ? null : bias, jc);
                }
            }
        }
    }

    /**
     * The whole product over the pool, as a sequence of steps: a step is one k panel of one NC column block over one
     * chunk of row blocks (all of them unless they pass {@link #PACKED_A_FLOATS}, a product over many rows). A step
     * reads B's panel and its row blocks of A packed into buffers all workers share, and computes tasks of (column
     * group × row block). With several row blocks per thread ({@link #HOME_BLOCKS}) each thread has a home share of
     * them: it packs and computes those first, then takes what is left of the others' ({@link #runByHome}), so a core
     * mostly reads packed A and tiles of C it wrote itself (which matters when two vCPUs share no cache) and a worker
     * the OS delays still does not hold the others back with a fixed share. Packing is pipelined: one job packs the
     * first step, then each job computes a step and packs the next into the other of two buffer sets, its packing tasks
     * interleaved with the compute tasks, so one worker's memory-bound packing runs beside another's arithmetic and
     * each step costs one wait for the slowest worker, not two. Tasks run column group by column group: the workers
     * then read the same {@link #GROUP_FLOATS}-sized part of packed B, which stays in their L2 caches while every row
     * block passes over it, instead of streaming all of B from L3 once per row block. A is packed once per panel, not
     * once per task, so the groups cost no extra packing.
     */
    static void parallelBlocked(int m, int n, int k,
                                        float[] a, int aOff, int aRs, int aCs,
                                        Object b, int bOff, int bRs, int bCs,
                                        float[] c, int cOff, int cRs, boolean accumulate, int threads, float[] bias) {
        int kcMax = Math.min(KC, k);
        int rowsPerBlock = rowBlock(m, threads);
        int mBlocks = (m + rowsPerBlock - 1) / rowsPerBlock;
        int aStrideMax = kcMax * roundUp(rowsPerBlock, MR); // packed floats per row block
        int chunk = chunkBlocks(m, k, rowsPerBlock);
        int chunks = (mBlocks + chunk - 1) / chunk, panels = (k + KC - 1) / KC, columnBlocks = (n + NC - 1) / NC;
        Buffers own = BUFFERS.get(); // the caller waits, so its buffers are free for the workers to share
        int bSize = kcMax * roundUp(Math.min(NC, n), NR), aSize = chunk * aStrideMax;
        float[][] pb = {own.packedB(bSize, 0), own.packedB(bSize, 1)};
        float[][] pa = {own.packedA(aSize, 0), own.packedA(aSize, 1)};
        int steps = columnBlocks * panels * chunks;
        Step[] plan = new Step[steps];
        for (int s = 0, jc = 0; jc < n; jc += NC) {
            for (int pc = 0; pc < k; pc += KC) {
                for (int first = 0; first < mBlocks; first += chunk, s++) {
                    // B is packed with a panel's first chunk and kept for its other chunks: its set alternates by panel
                    int panel = s / chunks;
                    plan[s] = new Step(jc, Math.min(NC, n - jc), pc, Math.min(KC, k - pc), first,
                            Math.min(chunk, mBlocks - first), first == 0, pb[panel & 1], pa[s & 1]);
                }
            }
        }
        int homes = homes(chunk, threads);
        Step head = plan[0];
        int[][] headPacks = new int[homes][];
        for (int h = 0; h < homes; h++) headPacks[h] = head.packs(h, homes, threads);
        runByHome(homes, h -> headPacks[h].length, (h, i) -> head.pack(headPacks[h][i], threads, m, rowsPerBlock,
                a, aOff, aRs, aCs, b, bOff, bRs, bCs));
        for (int s = 0; s < steps; s++) {
            Step now = plan[s], next = s + 1 < steps ? plan[s + 1] : null;
            boolean acc = accumulate || now.pc > 0;
            int slivers = (now.nc + NR - 1) / NR;
            int groups = Math.max(columnParts(now.blocks, slivers, threads),
                    Math.min(slivers, (int) ((long) now.kc * slivers * NR / GROUP_FLOATS)));
            int aStride = now.aStride(rowsPerBlock);
            int cBase = cOff + now.jc;
            float[] panelBias = acc ? null : bias;
            int[][] packs = new int[homes][];
            int[] blockFrom = new int[homes + 1];
            for (int h = 0; h < homes; h++) packs[h] = next == null ? new int[0] : next.packs(h, homes, threads);
            for (int h = 0; h <= homes; h++) blockFrom[h] = partStart(now.blocks, homes, h);
            // A home's items: the next step's packing alternating with its first compute tasks (one worker's
            // memory-bound packing runs beside another's arithmetic), then the rest; compute tasks group by group.
            runByHome(homes, h -> packs[h].length + (blockFrom[h + 1] - blockFrom[h]) * groups, (h, i) -> {
                int packTasks = packs[h].length, homeBlocks = blockFrom[h + 1] - blockFrom[h];
                int paired = Math.min(packTasks, homeBlocks * groups);
                int compute;
                if (i < 2 * paired) {
                    if ((i & 1) == 0) {
                        next.pack(packs[h][i >> 1], threads, m, rowsPerBlock, a, aOff, aRs, aCs, b, bOff, bRs, bCs);
                        return;
                    }
                    compute = i >> 1;
                } else if (i - 2 * paired < packTasks - paired) {
                    next.pack(packs[h][i - paired], threads, m, rowsPerBlock, a, aOff, aRs, aCs, b, bOff, bRs, bCs);
                    return;
                } else {
                    compute = i - packTasks;
                }
                int group = compute / homeBlocks;
                int block = blockFrom[h] + compute % homeBlocks;
                int ic = (now.first + block) * rowsPerBlock;
                int mc = Math.min(rowsPerBlock, m - ic);
                macro(now.pa, block * aStride, now.pb, mc, now.kc, partStart(slivers, groups, group) * NR,
                        Math.min(now.nc, partStart(slivers, groups, group + 1) * NR), c, cBase + ic * cRs, cRs,
                        acc, BUFFERS.get().tile, panelBias, now.jc);
            });
        }
    }

    /**
     * Fewest row blocks per thread for giving each thread a home of its own ({@code ablate.gemm.homeBlocks}; 0 keeps one
     * shared home). With the vCPUs of a virtual machine on cores that share no cache, a thread reading row blocks of
     * packed A and tiles of C the other one wrote ran the W4 products 9-18 % slower than with homes (paired in one
     * JVM; docs/performance.md); with few blocks per thread a fixed split costs more balance than it saves.
     */
    static final int HOME_BLOCKS = homeBlocks(Integer.getInteger("ablate.gemm.homeBlocks", 4));

    /**
     * Homes of {@link #parallelBlocked}'s row blocks: one per thread when every thread has {@link #HOME_BLOCKS} of a
     * step's row blocks or more, else 1 (one home all threads share).
     */
    static int homes(int m, int k, int threads) {
        return homes(chunkBlocks(m, k, rowBlock(m, threads)), threads);
    }

    /** {@link #homes(int, int, int)} for a step of {@code chunk} row blocks. */
    private static int homes(int chunk, int threads) {
        return chunk >= HOME_BLOCKS * threads ? threads : 1;
    }

    /**
     * Row blocks of {@code rowsPerBlock} rows that {@link #parallelBlocked} packs at a time: all of them unless that
     * passes {@link #PACKED_A_FLOATS} (a product over many rows).
     */
    private static int chunkBlocks(int m, int k, int rowsPerBlock) {
        int mBlocks = (m + rowsPerBlock - 1) / rowsPerBlock;
        return Math.max(1, Math.min(mBlocks, PACKED_A_FLOATS / (Math.min(KC, k) * roundUp(rowsPerBlock, MR))));
    }

    private static int homeBlocks(int value) {
        return value <= 0 ? Integer.MAX_VALUE / 64 : value;
    }

    /** One item of a job split into homes: item i of home h. */
    private interface HomeItem {
        void run(int home, int i);
    }

    /**
     * Runs every item of every home over the pool ({@code count} items in home h): each thread takes its own home's
     * items first (pool participant p owns home p mod homes), then whatever is left of the others', so a thread the OS
     * delays only loses its home to the others. One home is plain dynamic sharing.
     */
    private static void runByHome(int homes, java.util.function.IntUnaryOperator count, HomeItem item) {
        AtomicInteger[] next = new AtomicInteger[homes];
        for (int h = 0; h < homes; h++) next[h] = new AtomicInteger();
        Parallel.parallelFor(Parallel.threads(), slot -> {
            int me = Parallel.participant() % homes;
            for (int d = 0; d < homes; d++) {
                int h = (me + d) % homes, total = count.applyAsInt(h);
                for (int i = next[h].getAndIncrement(); i < total; i = next[h].getAndIncrement()) item.run(h, i);
            }
        });
    }

    /**
     * One step of {@link #parallelBlocked}: columns [jc, jc+nc) of B's k panel [pc, pc+kc) (packed into {@code pb}
     * when {@code packsB}, else already there from the panel's first chunk), and row blocks [first, first+blocks) of
     * A packed into {@code pa}.
     */
    private record Step(int jc, int nc, int pc, int kc, int first, int blocks, boolean packsB, float[] pb, float[] pa) {
        /** B's panel in parts of a few slivers (several per thread, so they interleave with compute tasks). */
        int bParts(int threads) {
            return packsB ? Math.min((nc + NR - 1) / NR, 4 * threads) : 0;
        }

        /** Packing tasks of home h of homes: B's parts p with p mod homes = h, then the row blocks of A in its share. */
        int[] packs(int h, int homes, int threads) {
            int parts = bParts(threads), b0 = partStart(blocks, homes, h), b1 = partStart(blocks, homes, h + 1);
            int[] tasks = new int[(parts - h + homes - 1) / homes + (b1 - b0)];
            int i = 0;
            for (int p = h; p < parts; p += homes) tasks[i++] = p;
            for (int block = b0; block < b1; block++) tasks[i++] = parts + block;
            return tasks;
        }

        /** Floats of packed A per row block: where the packing task writes block i and the compute task reads it. */
        int aStride(int rowsPerBlock) {
            return kc * roundUp(rowsPerBlock, MR);
        }

        /** Packing task t: a part of B's panel, or one row block of A. */
        void pack(int t, int threads, int m, int rowsPerBlock, float[] a, int aOff, int aRs, int aCs,
                  Object b, int bOff, int bRs, int bCs) {
            int parts = bParts(threads);
            if (t < parts) {
                int slivers = (nc + NR - 1) / NR;
                packAny(pb, kc, partStart(slivers, parts, t), partStart(slivers, parts, t + 1), nc,
                        b, bOff + pc * bRs + jc * bCs, bRs, bCs, true);
                return;
            }
            int ic = (first + t - parts) * rowsPerBlock;
            packA(pa, (t - parts) * aStride(rowsPerBlock), Math.min(rowsPerBlock, m - ic), kc, a, aOff + pc * aCs + ic * aRs, aRs, aCs, true);
        }
    }

    /**
     * Floats of packed B per column group: a quarter of a core's L2 cache as Linux reports it (128 Ki floats, 512 KB,
     * on a 2 MiB L2; 64 Ki on a 1 MiB one, where that trained W2 5-23 % faster than 128 Ki in three alternating
     * pairs), 128 Ki where it does not say ({@code ablate.gemm.groupFloats}). Column groups never change a sum's
     * order, so the bits do not depend on it.
     */
    static final int GROUP_FLOATS = Integer.getInteger("ablate.gemm.groupFloats",
            quarterOfL2Floats(java.nio.file.Path.of("/sys/devices/system/cpu/cpu0/cache")));

    /** A quarter of the L2 described under {@code caches} (Linux's cpuN/cache layout), in floats; 128 Ki if it says nothing usable. */
    static int quarterOfL2Floats(java.nio.file.Path caches) {
        int fallback = 128 * 1024;
        try (var dirs = java.nio.file.Files.list(caches)) {
            for (java.nio.file.Path dir : (Iterable<java.nio.file.Path>) dirs.sorted()::iterator) {
                if (!dir.getFileName().toString().startsWith("index")
                        || !"2".equals(java.nio.file.Files.readString(dir.resolve("level")).strip())) continue;
                String size = java.nio.file.Files.readString(dir.resolve("size")).strip(); // "1024K", "2048K", "2M"
                long bytes = Long.parseLong(size.replaceAll("[^0-9]", ""));
                if (size.endsWith("K")) bytes <<= 10;
                else if (size.endsWith("M")) bytes <<= 20;
                long floats = bytes / 4 / Float.BYTES;
                return floats >= 16 * 1024 && floats <= 1024 * 1024 ? (int) floats : fallback;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return fallback; // not Linux, or sysfs hidden: the size measured on the 2 MiB-L2 hosts
        }
        return fallback;
    }
    /**
     * Most floats of A packed at once (8 MB: all 4,096 rows of a W2 batch at KC = 512); a product over more rows packs
     * them in chunks, so the shared buffer, which a thread keeps, does not grow with the batch
     * ({@code ablate.gemm.packedAFloats}).
     */
    static final int PACKED_A_FLOATS = Integer.getInteger("ablate.gemm.packedAFloats", 2 * 1024 * 1024);

    /**
     * Rows per block of A: MC, or a little less (a multiple of MR, at least MC / 2) when that makes the blocks split
     * evenly over the threads, so they balance without cutting blocks into short column ranges (1,024 rows: 16 blocks
     * of 64 instead of 15 of 72, one thread idle for a fifteenth).
     */
    static int rowBlock(int m, int threads) {
        int blocks = (m + MC - 1) / MC;
        if (threads <= 1 || blocks % threads == 0) return MC;
        for (int even = (blocks + threads - 1) / threads * threads; ; even += threads) {
            int rows = roundUp((m + even - 1) / even, MR);
            if (rows < MC / 2) return MC;
            if (((m + rows - 1) / rows) % threads == 0) return rows;
        }
    }

    /**
     * How many column ranges to cut each row block into for balance: the count whose task total splits most evenly
     * over the threads (15 equal tasks on 2 threads leave one thread idle for a fifteenth of the time; 30 do not),
     * with at least about 4 tasks per thread for dynamic balance, against the cost of each extra range reading its
     * A block again and running shorter micro-kernel loops, which weighs more the fewer columns it is spread over
     * ({@code -Dablate.gemm.packCost}, in multiply-adds per element of A; 128 measured best of 0, 32 and 128 on W2
     * and W4, in noisy rounds, when each range also packed its A block).
     */
    static int columnParts(int mBlocks, int slivers, int threads) {
        int best = 1;
        double bestCost = Double.MAX_VALUE;
        for (int parts = 1; parts <= Math.min(slivers, 16); parts++) {
            int tasks = mBlocks * parts;
            double makespan = (double) ((tasks + threads - 1) / threads) / tasks;
            // each part reads the block's A again: PACK_COST multiply-adds per element, spread over its columns
            double cost = makespan * (1 + PACK_COST * parts / (slivers * (double) NR)) + (tasks < 4 * threads ? 1.0 : 0.0);
            if (cost < bestCost - 1e-12) {
                bestCost = cost;
                best = parts;
            }
        }
        return best;
    }

    static final double PACK_COST = Double.parseDouble(System.getProperty("ablate.gemm.packCost", "128"));

    /** Start of part {@code part} of {@code count} items cut into {@code parts} near-equal parts (slivers, row blocks). */
    private static int partStart(int count, int parts, int part) {
        return (int) ((long) count * part / parts);
    }

    /**
     * Depth of the parts a k panel is run in by the 8-row kernel (0: whole panels; {@code ablate.gemm.kPart}). A whole
     * panel's B sliver (KC × NR floats, 64 KB) does not fit in L1, so every A sliver of the block streams it from L2
     * again; run in parts of this depth, a part of the sliver (32 KB) stays in L1 while the block's A slivers pass over
     * it. Each tile's sums are kept in {@link Buffers#part} between parts, exactly, and added to C after the last,
     * so the results are the same, bit for bit, as whole panels give: the panel depth KC still fixes the order.
     */
    static final int K_PART = Integer.getInteger("ablate.gemm.kPart", 256);

    /** C rows [0,mc) × columns [jFrom,jTo) of one block (C at {@code cAt}) from packed A and packed B. */
    private static void macro(float[] pa, int paAt, float[] pb, int mc, int kc, int jFrom, int jTo,
                              float[] c, int cAt, int cRs, boolean acc, float[] tile, float[] bias, int biasAt) {
        // What the 8-row kernel adds its sums to, chosen here once per block rather than by a branch in the kernel
        // (the JIT compiles the kernel for the branches it has seen, and recompiles it, a second or more on two
        // cores, the first time a product takes another): C itself, the bias (row step 0), or zeros.
        float[] base = acc ? c : bias != null ? bias : ZEROS;
        int baseOff = acc ? cAt : bias != null ? biasAt : 0, baseRs = acc ? cRs : 0, baseCs = base == ZEROS ? 0 : 1;
        if (SPECIES != null && MR == 8 && K_PART > 0 && kc > K_PART) {
            float[] part = BUFFERS.get().part;
            for (int jr = jFrom; jr < jTo; jr += NR) {
                int cols = Math.min(NR, jTo - jr);
                for (int p0 = 0; p0 < kc; p0 += K_PART) {
                    int kp = Math.min(K_PART, kc - p0);
                    for (int ir = 0; ir < mc; ir += MR) {
                        microVector8(kp, pa, paAt + ir * kc + p0 * MR, pb, B_ALIGN + jr * kc + p0 * NR, c, cAt + ir * cRs + jr, cRs,
                                Math.min(MR, mc - ir), cols, tile, part, ir * NR, p0 == 0, p0 + kp >= kc,
                                base, baseOff + ir * baseRs + jr * baseCs, baseRs);
                    }
                }
            }
            return;
        }
        for (int jr = jFrom; jr < jTo; jr += NR) {
            int cols = Math.min(NR, jTo - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                int at = cAt + ir * cRs + jr;
                if (SPECIES == null) {
                    microScalar(kc, pa, paAt + ir * kc, pb, B_ALIGN + jr * kc, c, at, cRs, rows, cols, acc);
                } else if (MR == 12) {
                    microVector12(kc, pa, paAt + ir * kc, pb, B_ALIGN + jr * kc, c, at, cRs, rows, cols, acc, tile);
                } else if (MR == 8) {
                    microVector8(kc, pa, paAt + ir * kc, pb, B_ALIGN + jr * kc, c, at, cRs, rows, cols, tile, null, 0, true, true,
                            base, baseOff + ir * baseRs + jr * baseCs, baseRs);
                } else {
                    microVector6(kc, pa, paAt + ir * kc, pb, B_ALIGN + jr * kc, c, at, cRs, rows, cols, acc, tile);
                }
            }
        }
    }

    /**
     * Packs an mc×kc block of A into MR-row slivers: sliver s holds, for each p, its MR values (zero padded).
     * {@code inRegisters}: rows of A may be moved by in-register transposes. Only the large products of the pool path
     * ask for it: the transposes are Vector API code, slow until the JIT compiles it fully, and the small products on
     * the calling thread (attention over a short prompt) are too rare for that to happen soon (a 16-token prefill ran
     * 20 % slower with them).
     */
    private static void packA(float[] dst, int at, int mc, int kc, float[] a, int base, int rs, int cs, boolean inRegisters) {
        if (rs == 1 && cs != 1) {
            packATransposed(dst, at, mc, kc, a, base, cs);
            return;
        }
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int d0 = at + ir * kc;
            if (inRegisters && cs == 1 && MR == 8 && rows == 8 && LANES == 16) { // rows of A in place: 8×16 blocks transposed in registers
                int src = base + ir * rs, whole = kc - kc % 16;
                for (int p = 0; p < whole; p += 16) {
                    transpose8x16(dst, d0 + p * 8, a, src + p, rs);
                }
                for (int r = 0; r < 8; r++) {
                    for (int p = whole, d = d0 + whole * 8 + r; p < kc; p++, d += 8) {
                        dst[d] = a[src + r * rs + p];
                    }
                }
                continue;
            }
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

    /**
     * packA for a transposed view (unit row stride: A's rows are adjacent columns of the stored matrix, as in a
     * weight gradient dYᵀ·X): for each p the MR values of a sliver are contiguous in memory, so each is one short
     * copy instead of MR strided reads.
     */
    private static void packATransposed(float[] dst, int at, int mc, int kc, float[] a, int base, int cs) {
        int full = SLIVER == null ? 0 : mc / MR * MR;
        // p outermost: each source row segment (all mc values of one p, contiguous) is read in one pass, so a panel
        // deep in k touches each of its rows' pages once, not once per sliver.
        for (int p = 0, src = base, d = at; p < kc; p++, src += cs, d += MR) {
            for (int ir = 0; ir < full; ir += MR) {
                FloatVector.fromArray(SLIVER, a, src + ir).intoArray(dst, d + ir * kc);
            }
        }
        for (int ir = full; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int d = at + ir * kc;
            for (int p = 0, src = base + ir; p < kc; p++, src += cs, d += MR) {
                System.arraycopy(a, src, dst, d, rows);
                if (rows < MR) {
                    Arrays.fill(dst, d + rows, d + MR, 0f);
                }
            }
        }
    }

    /** {@link #packB} from an array or from a mapped file region ({@link MappedWeights}). */
    private static void packAny(float[] dst, int kc, int sFrom, int sTo, int nc, Object b, int base, int rs, int cs,
                                boolean inRegisters) {
        if (b instanceof float[] array) {
            packB(dst, kc, sFrom, sTo, nc, array, base, rs, cs, inRegisters);
            return;
        }
        MemorySegment seg = (MemorySegment) b;
        int j0 = sFrom * NR, j1 = Math.min(nc, sTo * NR);
        if (j0 >= j1) return;
        int width = j1 - j0;
        float[] stage = MappedWeights.stage(kc * width);
        // Copy the block into an array laid out as the source was, then pack from it; the bases below are negative so
        // that packB's own column index j still finds element (p, j) at stage[(j - j0)·kc + p] (or [p·width + j - j0]).
        if (cs == 1 && rs != 1) {
            MappedWeights.copyRows(seg, (long) base + j0, rs, kc, width, stage, 0);
            packB(dst, kc, sFrom, sTo, nc, stage, -j0, width, 1, inRegisters);
        } else {
            if (rs == 1) {
                MappedWeights.copyRows(seg, (long) base + (long) j0 * cs, cs, width, kc, stage, 0);
            } else {
                for (int j = 0; j < width; j++) {
                    for (int p = 0; p < kc; p++) {
                        stage[j * kc + p] = seg.getAtIndex(MappedWeights.FLOAT, (long) base + (long) p * rs + (long) (j0 + j) * cs);
                    }
                }
            }
            packB(dst, kc, sFrom, sTo, nc, stage, -j0 * kc, 1, kc, inRegisters);
        }
    }

    /**
     * Packs slivers [sFrom,sTo) of a kc×nc panel of B into NR-column slivers: sliver s holds, for each p, its NR
     * values (zero padded past nc). {@code inRegisters} as for packA.
     */
    private static void packB(float[] dst, int kc, int sFrom, int sTo, int nc, float[] b, int base, int rs, int cs,
                              boolean inRegisters) {
        for (int jr = sFrom * NR; jr < Math.min(nc, sTo * NR); jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int d0 = B_ALIGN + jr * kc;
            if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    int d = d0 + p * NR;
                    System.arraycopy(b, base + p * rs + jr, dst, d, cols);
                    if (cols < NR) {
                        Arrays.fill(dst, d + cols, d + NR, 0f);
                    }
                }
            } else if (inRegisters && cols == NR && rs == 1 && LANES == 16) {
                // Column-major source with contiguous columns (a transposed weight, x·Wᵀ): 16×16 blocks are
                // transposed in registers, sixteen rows of W in, sixteen p rows of the sliver out.
                int src = base + jr * cs, whole = kc - kc % 16;
                for (int half = 0; half < NR; half += 16) { // sixteen rows of W streamed at a time
                    for (int p = 0; p < whole; p += 16) {
                        transpose16(dst, d0 + p * NR + half, b, src + half * cs + p, cs);
                    }
                }
                for (int p = whole; p < kc; p++) {
                    for (int j = 0, d = d0 + p * NR; j < NR; j++) {
                        dst[d + j] = b[src + j * cs + p];
                    }
                }
            } else if (cols == NR) {
                // Column-major source (a transposed weight): a column of B is a contiguous row of W, but the
                // sliver interleaves NR of them. Blocks of TP values of p keep the written part of the sliver
                // (TP·NR floats) and the NR source runs in L1 while four columns are moved per pass.
                int src = base + jr * cs;
                for (int p0 = 0; p0 < kc; p0 += TP) {
                    int p1 = Math.min(kc, p0 + TP);
                    for (int j = 0; j < NR; j += 4) {
                        int s0 = src + j * cs, s1 = s0 + cs, s2 = s1 + cs, s3 = s2 + cs;
                        for (int p = p0, d = d0 + p0 * NR + j; p < p1; p++, d += NR) {
                            int o = p * rs;
                            dst[d] = b[s0 + o];
                            dst[d + 1] = b[s1 + o];
                            dst[d + 2] = b[s2 + o];
                            dst[d + 3] = b[s3 + o];
                        }
                    }
                }
            } else {
                // Column-major source, ragged last sliver: walk each column contiguously.
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

    /**
     * Index vectors for the in-register transposes ({@link #transpose16}, {@link #transpose8x16}): a stage swaps one bit
     * of the row (which of a pair of vectors) with one bit of the lane; the LO select of a pair takes lane L from the
     * pair's first vector when L's bit is clear and from the second when set, at L with that bit cleared (HI: set).
     * Null unless vectors hold 16 floats.
     */
    private static final FloatVector LO0 = select(0, false, false), HI0 = select(0, true, false),
            LO1 = select(1, false, false), HI1 = select(1, true, false),
            LO2 = select(2, false, false), HI2 = select(2, true, false),
            LO3 = select(3, false, false), HI3 = select(3, true, false);
    /** transpose8x16's last stage, which also moves lane bits (i2 i1 i0 c0) to the sliver's order (c0 i2 i1 i0). */
    private static final FloatVector LO3S = select(3, false, true), HI3S = select(3, true, true);

    private static FloatVector select(int bit, boolean high, boolean toSliver) {
        if (LANES != 16) return null;
        float[] idx = new float[16];
        for (int lane = 0; lane < 16; lane++) {
            int from = toSliver ? (lane & 7) << 1 | lane >> 3 : lane;
            int second = (from >> bit & 1) * 16; // the pair's second vector sits past the first's 16 lanes
            idx[lane] = second + (high ? from | 1 << bit : from & ~(1 << bit));
        }
        return FloatVector.fromArray(SPECIES, idx, 0);
    }

    /**
     * dst[d + c·8 + i] = a[at + i·rs + c] for i in [0,8), c in [0,16): sixteen columns of eight rows of A into an MR = 8
     * sliver, three stages of two-vector selects (swapping row bit t with lane bit t+1) instead of 128 scalar moves.
     */
    private static void transpose8x16(float[] dst, int d, float[] a, int at, int rs) {
        final VectorSpecies<Float> s = SPECIES;
        FloatVector r0 = FloatVector.fromArray(s, a, at);
        FloatVector r1 = FloatVector.fromArray(s, a, at + rs);
        FloatVector r2 = FloatVector.fromArray(s, a, at + 2 * rs);
        FloatVector r3 = FloatVector.fromArray(s, a, at + 3 * rs);
        FloatVector r4 = FloatVector.fromArray(s, a, at + 4 * rs);
        FloatVector r5 = FloatVector.fromArray(s, a, at + 5 * rs);
        FloatVector r6 = FloatVector.fromArray(s, a, at + 6 * rs);
        FloatVector r7 = FloatVector.fromArray(s, a, at + 7 * rs);
        FloatVector t0 = LO1.selectFrom(r0, r1), t1 = HI1.selectFrom(r0, r1);
        FloatVector t2 = LO1.selectFrom(r2, r3), t3 = HI1.selectFrom(r2, r3);
        FloatVector t4 = LO1.selectFrom(r4, r5), t5 = HI1.selectFrom(r4, r5);
        FloatVector t6 = LO1.selectFrom(r6, r7), t7 = HI1.selectFrom(r6, r7);
        r0 = LO2.selectFrom(t0, t2); r2 = HI2.selectFrom(t0, t2);
        r1 = LO2.selectFrom(t1, t3); r3 = HI2.selectFrom(t1, t3);
        r4 = LO2.selectFrom(t4, t6); r6 = HI2.selectFrom(t4, t6);
        r5 = LO2.selectFrom(t5, t7); r7 = HI2.selectFrom(t5, t7);
        LO3S.selectFrom(r0, r4).intoArray(dst, d);
        LO3S.selectFrom(r1, r5).intoArray(dst, d + 16);
        LO3S.selectFrom(r2, r6).intoArray(dst, d + 32);
        LO3S.selectFrom(r3, r7).intoArray(dst, d + 48);
        HI3S.selectFrom(r0, r4).intoArray(dst, d + 64);
        HI3S.selectFrom(r1, r5).intoArray(dst, d + 80);
        HI3S.selectFrom(r2, r6).intoArray(dst, d + 96);
        HI3S.selectFrom(r3, r7).intoArray(dst, d + 112);
    }

    /**
     * dst[d + c·NR + i] = b[at + i·cs + c] for i, c in [0,16): a 16×16 block transposed with four stages of two-vector
     * selects (one instruction each with AVX-512), instead of 256 scalar loads and stores.
     */
    private static void transpose16(float[] dst, int d, float[] b, int at, int cs) {
        final VectorSpecies<Float> s = SPECIES;
        FloatVector r0 = FloatVector.fromArray(s, b, at);
        FloatVector r1 = FloatVector.fromArray(s, b, at + 1 * cs);
        FloatVector r2 = FloatVector.fromArray(s, b, at + 2 * cs);
        FloatVector r3 = FloatVector.fromArray(s, b, at + 3 * cs);
        FloatVector r4 = FloatVector.fromArray(s, b, at + 4 * cs);
        FloatVector r5 = FloatVector.fromArray(s, b, at + 5 * cs);
        FloatVector r6 = FloatVector.fromArray(s, b, at + 6 * cs);
        FloatVector r7 = FloatVector.fromArray(s, b, at + 7 * cs);
        FloatVector r8 = FloatVector.fromArray(s, b, at + 8 * cs);
        FloatVector r9 = FloatVector.fromArray(s, b, at + 9 * cs);
        FloatVector r10 = FloatVector.fromArray(s, b, at + 10 * cs);
        FloatVector r11 = FloatVector.fromArray(s, b, at + 11 * cs);
        FloatVector r12 = FloatVector.fromArray(s, b, at + 12 * cs);
        FloatVector r13 = FloatVector.fromArray(s, b, at + 13 * cs);
        FloatVector r14 = FloatVector.fromArray(s, b, at + 14 * cs);
        FloatVector r15 = FloatVector.fromArray(s, b, at + 15 * cs);
        FloatVector t0 = LO0.selectFrom(r0, r1); FloatVector t1 = HI0.selectFrom(r0, r1);
        FloatVector t2 = LO0.selectFrom(r2, r3); FloatVector t3 = HI0.selectFrom(r2, r3);
        FloatVector t4 = LO0.selectFrom(r4, r5); FloatVector t5 = HI0.selectFrom(r4, r5);
        FloatVector t6 = LO0.selectFrom(r6, r7); FloatVector t7 = HI0.selectFrom(r6, r7);
        FloatVector t8 = LO0.selectFrom(r8, r9); FloatVector t9 = HI0.selectFrom(r8, r9);
        FloatVector t10 = LO0.selectFrom(r10, r11); FloatVector t11 = HI0.selectFrom(r10, r11);
        FloatVector t12 = LO0.selectFrom(r12, r13); FloatVector t13 = HI0.selectFrom(r12, r13);
        FloatVector t14 = LO0.selectFrom(r14, r15); FloatVector t15 = HI0.selectFrom(r14, r15);
        r0 = LO1.selectFrom(t0, t2); r2 = HI1.selectFrom(t0, t2);
        r1 = LO1.selectFrom(t1, t3); r3 = HI1.selectFrom(t1, t3);
        r4 = LO1.selectFrom(t4, t6); r6 = HI1.selectFrom(t4, t6);
        r5 = LO1.selectFrom(t5, t7); r7 = HI1.selectFrom(t5, t7);
        r8 = LO1.selectFrom(t8, t10); r10 = HI1.selectFrom(t8, t10);
        r9 = LO1.selectFrom(t9, t11); r11 = HI1.selectFrom(t9, t11);
        r12 = LO1.selectFrom(t12, t14); r14 = HI1.selectFrom(t12, t14);
        r13 = LO1.selectFrom(t13, t15); r15 = HI1.selectFrom(t13, t15);
        t0 = LO2.selectFrom(r0, r4); t4 = HI2.selectFrom(r0, r4);
        t1 = LO2.selectFrom(r1, r5); t5 = HI2.selectFrom(r1, r5);
        t2 = LO2.selectFrom(r2, r6); t6 = HI2.selectFrom(r2, r6);
        t3 = LO2.selectFrom(r3, r7); t7 = HI2.selectFrom(r3, r7);
        t8 = LO2.selectFrom(r8, r12); t12 = HI2.selectFrom(r8, r12);
        t9 = LO2.selectFrom(r9, r13); t13 = HI2.selectFrom(r9, r13);
        t10 = LO2.selectFrom(r10, r14); t14 = HI2.selectFrom(r10, r14);
        t11 = LO2.selectFrom(r11, r15); t15 = HI2.selectFrom(r11, r15);
        r0 = LO3.selectFrom(t0, t8); r8 = HI3.selectFrom(t0, t8);
        r1 = LO3.selectFrom(t1, t9); r9 = HI3.selectFrom(t1, t9);
        r2 = LO3.selectFrom(t2, t10); r10 = HI3.selectFrom(t2, t10);
        r3 = LO3.selectFrom(t3, t11); r11 = HI3.selectFrom(t3, t11);
        r4 = LO3.selectFrom(t4, t12); r12 = HI3.selectFrom(t4, t12);
        r5 = LO3.selectFrom(t5, t13); r13 = HI3.selectFrom(t5, t13);
        r6 = LO3.selectFrom(t6, t14); r14 = HI3.selectFrom(t6, t14);
        r7 = LO3.selectFrom(t7, t15); r15 = HI3.selectFrom(t7, t15);
        r0.intoArray(dst, d + 0 * NR);
        r1.intoArray(dst, d + 1 * NR);
        r2.intoArray(dst, d + 2 * NR);
        r3.intoArray(dst, d + 3 * NR);
        r4.intoArray(dst, d + 4 * NR);
        r5.intoArray(dst, d + 5 * NR);
        r6.intoArray(dst, d + 6 * NR);
        r7.intoArray(dst, d + 7 * NR);
        r8.intoArray(dst, d + 8 * NR);
        r9.intoArray(dst, d + 9 * NR);
        r10.intoArray(dst, d + 10 * NR);
        r11.intoArray(dst, d + 11 * NR);
        r12.intoArray(dst, d + 12 * NR);
        r13.intoArray(dst, d + 13 * NR);
        r14.intoArray(dst, d + 14 * NR);
        r15.intoArray(dst, d + 15 * NR);
    }

    /** 6×2-vector tile from packed slivers, accumulators in vector registers. */
    private static void microVector6(int kc, float[] pa, int ao, float[] pb, int bo,
                                    float[] c, int cAt, int cRs, int rows, int cols, boolean acc, float[] tile) {
        final VectorSpecies<Float> s = SPECIES;
        final int l = LANES;
        FloatVector c0a = FloatVector.zero(s), c0b = FloatVector.zero(s);
        FloatVector c1a = FloatVector.zero(s), c1b = FloatVector.zero(s);
        FloatVector c2a = FloatVector.zero(s), c2b = FloatVector.zero(s);
        FloatVector c3a = FloatVector.zero(s), c3b = FloatVector.zero(s);
        FloatVector c4a = FloatVector.zero(s), c4b = FloatVector.zero(s);
        FloatVector c5a = FloatVector.zero(s), c5b = FloatVector.zero(s);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * 2 * l;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi);
            FloatVector b1 = FloatVector.fromArray(s, pb, bi + l);
            int ai = ao + p * 6;
            FloatVector x = FloatVector.broadcast(s, pa[ai]);
            c0a = x.fma(b0, c0a);
            c0b = x.fma(b1, c0b);
            x = FloatVector.broadcast(s, pa[ai + 1]);
            c1a = x.fma(b0, c1a);
            c1b = x.fma(b1, c1b);
            x = FloatVector.broadcast(s, pa[ai + 2]);
            c2a = x.fma(b0, c2a);
            c2b = x.fma(b1, c2b);
            x = FloatVector.broadcast(s, pa[ai + 3]);
            c3a = x.fma(b0, c3a);
            c3b = x.fma(b1, c3b);
            x = FloatVector.broadcast(s, pa[ai + 4]);
            c4a = x.fma(b0, c4a);
            c4b = x.fma(b1, c4b);
            x = FloatVector.broadcast(s, pa[ai + 5]);
            c5a = x.fma(b0, c5a);
            c5b = x.fma(b1, c5b);
        }
        if (rows == 6 && cols == 2 * l) {
            // Written out in place: passing vectors to a helper can defeat their scalar replacement.
            if (acc) {
                c0a = c0a.add(FloatVector.fromArray(s, c, cAt + 0 * cRs));
                c0b = c0b.add(FloatVector.fromArray(s, c, cAt + 0 * cRs + l));
                c1a = c1a.add(FloatVector.fromArray(s, c, cAt + 1 * cRs));
                c1b = c1b.add(FloatVector.fromArray(s, c, cAt + 1 * cRs + l));
                c2a = c2a.add(FloatVector.fromArray(s, c, cAt + 2 * cRs));
                c2b = c2b.add(FloatVector.fromArray(s, c, cAt + 2 * cRs + l));
                c3a = c3a.add(FloatVector.fromArray(s, c, cAt + 3 * cRs));
                c3b = c3b.add(FloatVector.fromArray(s, c, cAt + 3 * cRs + l));
                c4a = c4a.add(FloatVector.fromArray(s, c, cAt + 4 * cRs));
                c4b = c4b.add(FloatVector.fromArray(s, c, cAt + 4 * cRs + l));
                c5a = c5a.add(FloatVector.fromArray(s, c, cAt + 5 * cRs));
                c5b = c5b.add(FloatVector.fromArray(s, c, cAt + 5 * cRs + l));
            }
            c0a.intoArray(c, cAt + 0 * cRs);
            c0b.intoArray(c, cAt + 0 * cRs + l);
            c1a.intoArray(c, cAt + 1 * cRs);
            c1b.intoArray(c, cAt + 1 * cRs + l);
            c2a.intoArray(c, cAt + 2 * cRs);
            c2b.intoArray(c, cAt + 2 * cRs + l);
            c3a.intoArray(c, cAt + 3 * cRs);
            c3b.intoArray(c, cAt + 3 * cRs + l);
            c4a.intoArray(c, cAt + 4 * cRs);
            c4b.intoArray(c, cAt + 4 * cRs + l);
            c5a.intoArray(c, cAt + 5 * cRs);
            c5b.intoArray(c, cAt + 5 * cRs + l);
            return;
        }
        // Edge tile: spill to a scratch tile, then write only the valid part.
        int nr = 2 * l;
        c0a.intoArray(tile, 0 * nr);
        c0b.intoArray(tile, 0 * nr + l);
        c1a.intoArray(tile, 1 * nr);
        c1b.intoArray(tile, 1 * nr + l);
        c2a.intoArray(tile, 2 * nr);
        c2b.intoArray(tile, 2 * nr + l);
        c3a.intoArray(tile, 3 * nr);
        c3b.intoArray(tile, 3 * nr + l);
        c4a.intoArray(tile, 4 * nr);
        c4b.intoArray(tile, 4 * nr + l);
        c5a.intoArray(tile, 5 * nr);
        c5b.intoArray(tile, 5 * nr + l);
        for (int r = 0; r < rows; r++) {
            int row = cAt + r * cRs;
            for (int j = 0; j < cols; j++) {
                c[row + j] = acc ? c[row + j] + tile[r * nr + j] : tile[r * nr + j];
            }
        }
    }


    /** 8×2-vector tile from packed slivers, accumulators in vector registers. */
    private static void microVector8(int kc, float[] pa, int ao, float[] pb, int bo,
                                    float[] c, int cAt, int cRs, int rows, int cols, float[] tile,
                                    float[] part, int partAt, boolean first, boolean last, float[] base, int baseAt, int baseRs) {
        final VectorSpecies<Float> s = SPECIES;
        final int l = LANES;
        FloatVector c0a = FloatVector.zero(s), c0b = FloatVector.zero(s);
        FloatVector c1a = FloatVector.zero(s), c1b = FloatVector.zero(s);
        FloatVector c2a = FloatVector.zero(s), c2b = FloatVector.zero(s);
        FloatVector c3a = FloatVector.zero(s), c3b = FloatVector.zero(s);
        FloatVector c4a = FloatVector.zero(s), c4b = FloatVector.zero(s);
        FloatVector c5a = FloatVector.zero(s), c5b = FloatVector.zero(s);
        FloatVector c6a = FloatVector.zero(s), c6b = FloatVector.zero(s);
        FloatVector c7a = FloatVector.zero(s), c7b = FloatVector.zero(s);
        if (!first) { // carry on the sums an earlier part of the panel left
            c0a = FloatVector.fromArray(s, part, partAt + 0 * l);
            c0b = FloatVector.fromArray(s, part, partAt + 1 * l);
            c1a = FloatVector.fromArray(s, part, partAt + 2 * l);
            c1b = FloatVector.fromArray(s, part, partAt + 3 * l);
            c2a = FloatVector.fromArray(s, part, partAt + 4 * l);
            c2b = FloatVector.fromArray(s, part, partAt + 5 * l);
            c3a = FloatVector.fromArray(s, part, partAt + 6 * l);
            c3b = FloatVector.fromArray(s, part, partAt + 7 * l);
            c4a = FloatVector.fromArray(s, part, partAt + 8 * l);
            c4b = FloatVector.fromArray(s, part, partAt + 9 * l);
            c5a = FloatVector.fromArray(s, part, partAt + 10 * l);
            c5b = FloatVector.fromArray(s, part, partAt + 11 * l);
            c6a = FloatVector.fromArray(s, part, partAt + 12 * l);
            c6b = FloatVector.fromArray(s, part, partAt + 13 * l);
            c7a = FloatVector.fromArray(s, part, partAt + 14 * l);
            c7b = FloatVector.fromArray(s, part, partAt + 15 * l);
        }
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * 2 * l;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi);
            FloatVector b1 = FloatVector.fromArray(s, pb, bi + l);
            int ai = ao + p * 8;
            FloatVector x = FloatVector.broadcast(s, pa[ai]);
            c0a = x.fma(b0, c0a);
            c0b = x.fma(b1, c0b);
            x = FloatVector.broadcast(s, pa[ai + 1]);
            c1a = x.fma(b0, c1a);
            c1b = x.fma(b1, c1b);
            x = FloatVector.broadcast(s, pa[ai + 2]);
            c2a = x.fma(b0, c2a);
            c2b = x.fma(b1, c2b);
            x = FloatVector.broadcast(s, pa[ai + 3]);
            c3a = x.fma(b0, c3a);
            c3b = x.fma(b1, c3b);
            x = FloatVector.broadcast(s, pa[ai + 4]);
            c4a = x.fma(b0, c4a);
            c4b = x.fma(b1, c4b);
            x = FloatVector.broadcast(s, pa[ai + 5]);
            c5a = x.fma(b0, c5a);
            c5b = x.fma(b1, c5b);
            x = FloatVector.broadcast(s, pa[ai + 6]);
            c6a = x.fma(b0, c6a);
            c6b = x.fma(b1, c6b);
            x = FloatVector.broadcast(s, pa[ai + 7]);
            c7a = x.fma(b0, c7a);
            c7b = x.fma(b1, c7b);
        }
        if (!last) { // the panel goes on in a later part: keep the exact sums, not yet added to C
            c0a.intoArray(part, partAt + 0 * l);
            c0b.intoArray(part, partAt + 1 * l);
            c1a.intoArray(part, partAt + 2 * l);
            c1b.intoArray(part, partAt + 3 * l);
            c2a.intoArray(part, partAt + 4 * l);
            c2b.intoArray(part, partAt + 5 * l);
            c3a.intoArray(part, partAt + 6 * l);
            c3b.intoArray(part, partAt + 7 * l);
            c4a.intoArray(part, partAt + 8 * l);
            c4b.intoArray(part, partAt + 9 * l);
            c5a.intoArray(part, partAt + 10 * l);
            c5b.intoArray(part, partAt + 11 * l);
            c6a.intoArray(part, partAt + 12 * l);
            c6b.intoArray(part, partAt + 13 * l);
            c7a.intoArray(part, partAt + 14 * l);
            c7b.intoArray(part, partAt + 15 * l);
            return;
        }
        if (rows == 8 && cols == 2 * l) {
            // Written out in place: passing vectors to a helper can defeat their scalar replacement.
            c0a = c0a.add(FloatVector.fromArray(s, base, baseAt + 0 * baseRs));
            c0b = c0b.add(FloatVector.fromArray(s, base, baseAt + 0 * baseRs + l));
            c1a = c1a.add(FloatVector.fromArray(s, base, baseAt + 1 * baseRs));
            c1b = c1b.add(FloatVector.fromArray(s, base, baseAt + 1 * baseRs + l));
            c2a = c2a.add(FloatVector.fromArray(s, base, baseAt + 2 * baseRs));
            c2b = c2b.add(FloatVector.fromArray(s, base, baseAt + 2 * baseRs + l));
            c3a = c3a.add(FloatVector.fromArray(s, base, baseAt + 3 * baseRs));
            c3b = c3b.add(FloatVector.fromArray(s, base, baseAt + 3 * baseRs + l));
            c4a = c4a.add(FloatVector.fromArray(s, base, baseAt + 4 * baseRs));
            c4b = c4b.add(FloatVector.fromArray(s, base, baseAt + 4 * baseRs + l));
            c5a = c5a.add(FloatVector.fromArray(s, base, baseAt + 5 * baseRs));
            c5b = c5b.add(FloatVector.fromArray(s, base, baseAt + 5 * baseRs + l));
            c6a = c6a.add(FloatVector.fromArray(s, base, baseAt + 6 * baseRs));
            c6b = c6b.add(FloatVector.fromArray(s, base, baseAt + 6 * baseRs + l));
            c7a = c7a.add(FloatVector.fromArray(s, base, baseAt + 7 * baseRs));
            c7b = c7b.add(FloatVector.fromArray(s, base, baseAt + 7 * baseRs + l));
            c0a.intoArray(c, cAt + 0 * cRs);
            c0b.intoArray(c, cAt + 0 * cRs + l);
            c1a.intoArray(c, cAt + 1 * cRs);
            c1b.intoArray(c, cAt + 1 * cRs + l);
            c2a.intoArray(c, cAt + 2 * cRs);
            c2b.intoArray(c, cAt + 2 * cRs + l);
            c3a.intoArray(c, cAt + 3 * cRs);
            c3b.intoArray(c, cAt + 3 * cRs + l);
            c4a.intoArray(c, cAt + 4 * cRs);
            c4b.intoArray(c, cAt + 4 * cRs + l);
            c5a.intoArray(c, cAt + 5 * cRs);
            c5b.intoArray(c, cAt + 5 * cRs + l);
            c6a.intoArray(c, cAt + 6 * cRs);
            c6b.intoArray(c, cAt + 6 * cRs + l);
            c7a.intoArray(c, cAt + 7 * cRs);
            c7b.intoArray(c, cAt + 7 * cRs + l);
            return;
        }
        // Edge tile: spill to a scratch tile, then write only the valid part.
        int nr = 2 * l;
        c0a.intoArray(tile, 0 * nr);
        c0b.intoArray(tile, 0 * nr + l);
        c1a.intoArray(tile, 1 * nr);
        c1b.intoArray(tile, 1 * nr + l);
        c2a.intoArray(tile, 2 * nr);
        c2b.intoArray(tile, 2 * nr + l);
        c3a.intoArray(tile, 3 * nr);
        c3b.intoArray(tile, 3 * nr + l);
        c4a.intoArray(tile, 4 * nr);
        c4b.intoArray(tile, 4 * nr + l);
        c5a.intoArray(tile, 5 * nr);
        c5b.intoArray(tile, 5 * nr + l);
        c6a.intoArray(tile, 6 * nr);
        c6b.intoArray(tile, 6 * nr + l);
        c7a.intoArray(tile, 7 * nr);
        c7b.intoArray(tile, 7 * nr + l);
        for (int r = 0; r < rows; r++) {
            int row = cAt + r * cRs;
            for (int j = 0; j < cols; j++) {
                c[row + j] = base[baseAt + r * baseRs + j] + tile[r * nr + j];
            }
        }
    }


    /** 12×2-vector tile from packed slivers, accumulators in vector registers. */
    private static void microVector12(int kc, float[] pa, int ao, float[] pb, int bo,
                                    float[] c, int cAt, int cRs, int rows, int cols, boolean acc, float[] tile) {
        final VectorSpecies<Float> s = SPECIES;
        final int l = LANES;
        FloatVector c0a = FloatVector.zero(s), c0b = FloatVector.zero(s);
        FloatVector c1a = FloatVector.zero(s), c1b = FloatVector.zero(s);
        FloatVector c2a = FloatVector.zero(s), c2b = FloatVector.zero(s);
        FloatVector c3a = FloatVector.zero(s), c3b = FloatVector.zero(s);
        FloatVector c4a = FloatVector.zero(s), c4b = FloatVector.zero(s);
        FloatVector c5a = FloatVector.zero(s), c5b = FloatVector.zero(s);
        FloatVector c6a = FloatVector.zero(s), c6b = FloatVector.zero(s);
        FloatVector c7a = FloatVector.zero(s), c7b = FloatVector.zero(s);
        FloatVector c8a = FloatVector.zero(s), c8b = FloatVector.zero(s);
        FloatVector c9a = FloatVector.zero(s), c9b = FloatVector.zero(s);
        FloatVector c10a = FloatVector.zero(s), c10b = FloatVector.zero(s);
        FloatVector c11a = FloatVector.zero(s), c11b = FloatVector.zero(s);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * 2 * l;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi);
            FloatVector b1 = FloatVector.fromArray(s, pb, bi + l);
            int ai = ao + p * 12;
            FloatVector x = FloatVector.broadcast(s, pa[ai]);
            c0a = x.fma(b0, c0a);
            c0b = x.fma(b1, c0b);
            x = FloatVector.broadcast(s, pa[ai + 1]);
            c1a = x.fma(b0, c1a);
            c1b = x.fma(b1, c1b);
            x = FloatVector.broadcast(s, pa[ai + 2]);
            c2a = x.fma(b0, c2a);
            c2b = x.fma(b1, c2b);
            x = FloatVector.broadcast(s, pa[ai + 3]);
            c3a = x.fma(b0, c3a);
            c3b = x.fma(b1, c3b);
            x = FloatVector.broadcast(s, pa[ai + 4]);
            c4a = x.fma(b0, c4a);
            c4b = x.fma(b1, c4b);
            x = FloatVector.broadcast(s, pa[ai + 5]);
            c5a = x.fma(b0, c5a);
            c5b = x.fma(b1, c5b);
            x = FloatVector.broadcast(s, pa[ai + 6]);
            c6a = x.fma(b0, c6a);
            c6b = x.fma(b1, c6b);
            x = FloatVector.broadcast(s, pa[ai + 7]);
            c7a = x.fma(b0, c7a);
            c7b = x.fma(b1, c7b);
            x = FloatVector.broadcast(s, pa[ai + 8]);
            c8a = x.fma(b0, c8a);
            c8b = x.fma(b1, c8b);
            x = FloatVector.broadcast(s, pa[ai + 9]);
            c9a = x.fma(b0, c9a);
            c9b = x.fma(b1, c9b);
            x = FloatVector.broadcast(s, pa[ai + 10]);
            c10a = x.fma(b0, c10a);
            c10b = x.fma(b1, c10b);
            x = FloatVector.broadcast(s, pa[ai + 11]);
            c11a = x.fma(b0, c11a);
            c11b = x.fma(b1, c11b);
        }
        if (rows == 12 && cols == 2 * l) {
            // Written out in place: passing vectors to a helper can defeat their scalar replacement.
            if (acc) {
                c0a = c0a.add(FloatVector.fromArray(s, c, cAt + 0 * cRs));
                c0b = c0b.add(FloatVector.fromArray(s, c, cAt + 0 * cRs + l));
                c1a = c1a.add(FloatVector.fromArray(s, c, cAt + 1 * cRs));
                c1b = c1b.add(FloatVector.fromArray(s, c, cAt + 1 * cRs + l));
                c2a = c2a.add(FloatVector.fromArray(s, c, cAt + 2 * cRs));
                c2b = c2b.add(FloatVector.fromArray(s, c, cAt + 2 * cRs + l));
                c3a = c3a.add(FloatVector.fromArray(s, c, cAt + 3 * cRs));
                c3b = c3b.add(FloatVector.fromArray(s, c, cAt + 3 * cRs + l));
                c4a = c4a.add(FloatVector.fromArray(s, c, cAt + 4 * cRs));
                c4b = c4b.add(FloatVector.fromArray(s, c, cAt + 4 * cRs + l));
                c5a = c5a.add(FloatVector.fromArray(s, c, cAt + 5 * cRs));
                c5b = c5b.add(FloatVector.fromArray(s, c, cAt + 5 * cRs + l));
                c6a = c6a.add(FloatVector.fromArray(s, c, cAt + 6 * cRs));
                c6b = c6b.add(FloatVector.fromArray(s, c, cAt + 6 * cRs + l));
                c7a = c7a.add(FloatVector.fromArray(s, c, cAt + 7 * cRs));
                c7b = c7b.add(FloatVector.fromArray(s, c, cAt + 7 * cRs + l));
                c8a = c8a.add(FloatVector.fromArray(s, c, cAt + 8 * cRs));
                c8b = c8b.add(FloatVector.fromArray(s, c, cAt + 8 * cRs + l));
                c9a = c9a.add(FloatVector.fromArray(s, c, cAt + 9 * cRs));
                c9b = c9b.add(FloatVector.fromArray(s, c, cAt + 9 * cRs + l));
                c10a = c10a.add(FloatVector.fromArray(s, c, cAt + 10 * cRs));
                c10b = c10b.add(FloatVector.fromArray(s, c, cAt + 10 * cRs + l));
                c11a = c11a.add(FloatVector.fromArray(s, c, cAt + 11 * cRs));
                c11b = c11b.add(FloatVector.fromArray(s, c, cAt + 11 * cRs + l));
            }
            c0a.intoArray(c, cAt + 0 * cRs);
            c0b.intoArray(c, cAt + 0 * cRs + l);
            c1a.intoArray(c, cAt + 1 * cRs);
            c1b.intoArray(c, cAt + 1 * cRs + l);
            c2a.intoArray(c, cAt + 2 * cRs);
            c2b.intoArray(c, cAt + 2 * cRs + l);
            c3a.intoArray(c, cAt + 3 * cRs);
            c3b.intoArray(c, cAt + 3 * cRs + l);
            c4a.intoArray(c, cAt + 4 * cRs);
            c4b.intoArray(c, cAt + 4 * cRs + l);
            c5a.intoArray(c, cAt + 5 * cRs);
            c5b.intoArray(c, cAt + 5 * cRs + l);
            c6a.intoArray(c, cAt + 6 * cRs);
            c6b.intoArray(c, cAt + 6 * cRs + l);
            c7a.intoArray(c, cAt + 7 * cRs);
            c7b.intoArray(c, cAt + 7 * cRs + l);
            c8a.intoArray(c, cAt + 8 * cRs);
            c8b.intoArray(c, cAt + 8 * cRs + l);
            c9a.intoArray(c, cAt + 9 * cRs);
            c9b.intoArray(c, cAt + 9 * cRs + l);
            c10a.intoArray(c, cAt + 10 * cRs);
            c10b.intoArray(c, cAt + 10 * cRs + l);
            c11a.intoArray(c, cAt + 11 * cRs);
            c11b.intoArray(c, cAt + 11 * cRs + l);
            return;
        }
        // Edge tile: spill to a scratch tile, then write only the valid part.
        int nr = 2 * l;
        c0a.intoArray(tile, 0 * nr);
        c0b.intoArray(tile, 0 * nr + l);
        c1a.intoArray(tile, 1 * nr);
        c1b.intoArray(tile, 1 * nr + l);
        c2a.intoArray(tile, 2 * nr);
        c2b.intoArray(tile, 2 * nr + l);
        c3a.intoArray(tile, 3 * nr);
        c3b.intoArray(tile, 3 * nr + l);
        c4a.intoArray(tile, 4 * nr);
        c4b.intoArray(tile, 4 * nr + l);
        c5a.intoArray(tile, 5 * nr);
        c5b.intoArray(tile, 5 * nr + l);
        c6a.intoArray(tile, 6 * nr);
        c6b.intoArray(tile, 6 * nr + l);
        c7a.intoArray(tile, 7 * nr);
        c7b.intoArray(tile, 7 * nr + l);
        c8a.intoArray(tile, 8 * nr);
        c8b.intoArray(tile, 8 * nr + l);
        c9a.intoArray(tile, 9 * nr);
        c9b.intoArray(tile, 9 * nr + l);
        c10a.intoArray(tile, 10 * nr);
        c10b.intoArray(tile, 10 * nr + l);
        c11a.intoArray(tile, 11 * nr);
        c11b.intoArray(tile, 11 * nr + l);
        for (int r = 0; r < rows; r++) {
            int row = cAt + r * cRs;
            for (int j = 0; j < cols; j++) {
                c[row + j] = acc ? c[row + j] + tile[r * nr + j] : tile[r * nr + j];
            }
        }
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
