package org.ablate.tensor.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every kernel of {@link Kernels} run by a backend under test and by the scalar reference on the same inputs, over
 * sizes around every vector length, with offsets, optional operands, and every dispatch path of the matrix products
 * and attention. Results must agree within rounding (summation order, the vector e^x's last bits), and nothing may
 * be written outside the requested range. Runs in-process from {@link KernelsTest} and in a child JVM per forced
 * width from {@link VectorWidthTest}.
 */
final class KernelCases {
    static final int[] SIZES = {0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 1000};
    private static final int OFF = 3, PAD = 5;

    private final Kernels fast, ref;
    private final SplittableRandom rnd = new SplittableRandom(7);
    private final List<String> failures = new ArrayList<>();

    private KernelCases(Kernels fast, Kernels ref) {
        this.fast = fast;
        this.ref = ref;
    }

    /** Runs every case; returns a description of each failure (empty when all agree). */
    static List<String> run(Kernels fast, Kernels ref) {
        KernelCases c = new KernelCases(fast, ref);
        for (int n : SIZES) {
            c.elementwise(n);
            c.reductions(n);
            c.softmax(n);
            c.norms(n);
        }
        c.matrixProducts();
        c.attention();
        return c.failures;
    }

    private float[] random(int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextDouble(lo, hi);
        return a;
    }

    /** Equal within atol + rtol·|expected| everywhere (outside the written range both hold the same untouched values). */
    private void same(String what, float[] expected, float[] actual, double atol, double rtol) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= atol + rtol * Math.abs(expected[i]))
                    && Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                failures.add(what + ": at " + i + " reference " + expected[i] + ", " + fast.getClass().getSimpleName() + " "
                        + actual[i]);
                return;
            }
        }
    }

    private void same(String what, float expected, float actual, double atol) {
        same(what, new float[] {expected}, new float[] {actual}, atol, 1e-5);
    }

    private static double absSum(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.abs(a[off + i]);
        return s;
    }

    private void elementwise(int n) {
        int len = OFF + n + PAD;
        float[] a = random(len, -3, 3), b = random(len, 0.5, 2), g = random(len, -1, 1);
        for (int op = 0; op < 4; op++) {
            float[] o1 = random(len, -1, 1), o2 = o1.clone();
            ref.binary(op, a, b, o1, OFF, OFF + n);
            fast.binary(op, a, b, o2, OFF, OFF + n);
            same("binary " + op + " n=" + n, o1, o2, 0, 1e-6);
        }
        float[] x = random(len, -6, 6);
        float[][] outs = {random(len, -1, 1), null, null, null};
        outs[1] = outs[0].clone();
        ref.gelu(x, outs[0], OFF, OFF + n);
        fast.gelu(x, outs[1], OFF, OFF + n);
        same("gelu n=" + n, outs[0], outs[1], 1e-6, 1e-5);
        outs[1] = outs[0].clone();
        ref.geluBackward(x, g, outs[0], OFF, OFF + n);
        fast.geluBackward(x, g, outs[1], OFF, OFF + n);
        same("geluBackward n=" + n, outs[0], outs[1], 1e-6, 1e-5);
        outs[1] = outs[0].clone();
        ref.geluTanh(x, outs[0], OFF, OFF + n);
        fast.geluTanh(x, outs[1], OFF, OFF + n);
        same("geluTanh n=" + n, outs[0], outs[1], 1e-6, 1e-5);
        outs[1] = outs[0].clone();
        ref.geluTanhBackward(x, g, outs[0], OFF, OFF + n);
        fast.geluTanhBackward(x, g, outs[1], OFF, OFF + n);
        // the vector tanh is within about 1e-7 absolute: 1 − tanh² in the tails, times up to ~15, sets this bound
        same("geluTanhBackward n=" + n, outs[0], outs[1], 1e-5, 1e-5);
    }

    private void reductions(int n) {
        int len = OFF + n + PAD;
        float[] a = random(len, -2, 2), b = random(len, -2, 2);
        double tol = 1e-6 * (1 + absSum(a, OFF, n));
        same("sum n=" + n, ref.sum(a, OFF, n), fast.sum(a, OFF, n), tol);
        same("max n=" + n, ref.max(a, OFF, n), fast.max(a, OFF, n), 0);
        double dotTol = 1e-6;
        for (int i = 0; i < n; i++) dotTol += 1e-6 * Math.abs(a[OFF + i] * b[OFF + i]);
        same("dot n=" + n, ref.dot(a, OFF, b, OFF + 1, n), fast.dot(a, OFF, b, OFF + 1, n), dotTol);
        float[] y1 = random(len + 2, -1, 1), y2 = y1.clone();
        ref.axpy(0.75f, a, OFF, y1, OFF + 2, n);
        fast.axpy(0.75f, a, OFF, y2, OFF + 2, n);
        same("axpy n=" + n, y1, y2, 1e-6, 1e-6);
        y1 = a.clone();
        y2 = a.clone();
        ref.scale(y1, OFF, -1.5f, n);
        fast.scale(y2, OFF, -1.5f, n);
        same("scale n=" + n, y1, y2, 0, 1e-7);
        y1 = random(len, -1, 1);
        y2 = y1.clone();
        ref.addScalar(a, OFF, 0.25f, y1, OFF, n);
        fast.addScalar(a, OFF, 0.25f, y2, OFF, n);
        same("addScalar n=" + n, y1, y2, 0, 1e-7);
    }

    private void softmax(int n) {
        int len = OFF + n + PAD;
        float[] a = random(len, -8, 8);
        float[] o1 = random(len, -1, 1), o2 = o1.clone();
        float s1 = ref.expShiftSum(a, OFF, 8f, o1, OFF, n), s2 = fast.expShiftSum(a, OFF, 8f, o2, OFF, n);
        same("expShiftSum values n=" + n, o1, o2, 1e-9, 1e-6);
        same("expShiftSum sum n=" + n, s1, s2, 1e-6 * (1 + Math.abs(s1)));
        o2 = o1.clone();
        ref.expScaleShift(a, OFF, 0.5f, 0.125f, o1, OFF, n);
        fast.expScaleShift(a, OFF, 0.5f, 0.125f, o2, OFF, n);
        same("expScaleShift n=" + n, o1, o2, 1e-6, 1e-6);
        float[] bias = random(len, -1, 1);
        for (boolean withBias : new boolean[] {false, true}) {
            float[] x1 = a.clone(), x2 = a.clone();
            float m1 = ref.scaleAddMax(x1, OFF, n, 0.3f, withBias ? bias : null, 1);
            float m2 = fast.scaleAddMax(x2, OFF, n, 0.3f, withBias ? bias : null, 1);
            same("scaleAddMax values bias=" + withBias + " n=" + n, x1, x2, 1e-6, 1e-6);
            same("scaleAddMax max bias=" + withBias + " n=" + n, m1, m2, 1e-6);
        }
        float[] p = random(len, 0, 1), g1 = random(len, -1, 1), g2 = g1.clone();
        ref.softmaxGrad(p, OFF, g1, OFF + 1, 0.4f, n);
        fast.softmaxGrad(p, OFF, g2, OFF + 1, 0.4f, n);
        same("softmaxGrad n=" + n, g1, g2, 1e-7, 1e-6);
    }

    private void norms(int n) {
        int len = OFF + n + PAD;
        float[] x = random(len, -2, 2), w = random(n, 0.5, 1.5), b = random(n, -1, 1), g = random(len, -1, 1);
        same("sumSquaredDeviation n=" + n, ref.sumSquaredDeviation(x, OFF, n, 0.1f), fast.sumSquaredDeviation(x, OFF, n, 0.1f),
                1e-5 * (1 + n));
        for (int variant = 0; variant < 4; variant++) {
            float[] ww = (variant & 1) == 0 ? null : w, bb = (variant & 2) == 0 ? null : b;
            float[] h1 = random(len, -1, 1), h2 = h1.clone(), y1 = random(len, -1, 1), y2 = y1.clone();
            ref.normalize(x, OFF, n, 0.1f, 1.3f, ww, bb, variant == 3 ? null : h1, y1);
            fast.normalize(x, OFF, n, 0.1f, 1.3f, ww, bb, variant == 3 ? null : h2, y2);
            same("normalize xhat variant " + variant + " n=" + n, h1, h2, 1e-6, 1e-6);
            same("normalize y variant " + variant + " n=" + n, y1, y2, 1e-6, 1e-6);
            float[] gx1 = random(len, -1, 1), gx2 = gx1.clone();
            ref.layerNormRowBackward(g, h1, ww, OFF, n, 1.3f, gx1);
            fast.layerNormRowBackward(g, h1, ww, OFF, n, 1.3f, gx2);
            same("layerNormRowBackward w=" + (ww != null) + " n=" + n, gx1, gx2, 1e-5, 1e-5);
            float[] s1 = random(len, -1, 1), s2 = s1.clone();
            ref.scaleRow(x, OFF, n, 0.7f, ww, s1);
            fast.scaleRow(x, OFF, n, 0.7f, ww, s2);
            same("scaleRow w=" + (ww != null) + " n=" + n, s1, s2, 1e-7, 1e-6);
        }
        int rows = 5;
        float[] gg = random(rows * n, -1, 1), xh = random(rows * n, -2, 2);
        for (int variant = 1; variant < 4; variant++) {
            float[] gw1 = (variant & 1) == 0 ? null : random(n, -1, 1), gb1 = (variant & 2) == 0 ? null : random(n, -1, 1);
            float[] gw2 = gw1 == null ? null : gw1.clone(), gb2 = gb1 == null ? null : gb1.clone();
            int c0 = Math.min(n, 1), c1 = Math.max(c0, n - 1);
            ref.normParamGrads(gg, xh, rows, n, c0, c1, gw1, gb1);
            fast.normParamGrads(gg, xh, rows, n, c0, c1, gw2, gb2);
            if (gw1 != null) same("normParamGrads gw n=" + n, gw1, gw2, 1e-5, 1e-5);
            if (gb1 != null) same("normParamGrads gb n=" + n, gb1, gb2, 1e-5, 1e-5);
        }
    }

    /** m, n, k: one row (matrix-vector), a few rows (short prompt), and blocked products around tile edges. */
    private static final int[][] PRODUCTS = {
            {1, 1, 1}, {1, 300, 65}, {1, 33, 1000}, {2, 70, 40}, {5, 96, 64}, {16, 130, 33}, {17, 65, 129},
            {64, 64, 64}, {70, 100, 257}, {40, 70, 600}, {3, 0, 4}, {4, 5, 0}};

    private void matrixProducts() {
        for (int[] s : PRODUCTS) {
            int m = s[0], n = s[1], k = s[2];
            for (int layout = 0; layout < 4; layout++) {
                boolean ta = (layout & 1) != 0, tb = (layout & 2) != 0; // tb: B is the transpose of a row-major [n, k]
                int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
                float[] a = random(OFF + Math.max(1, ta ? k : m) * lda, -1, 1);
                float[] b = random(OFF + Math.max(1, tb ? n : k) * ldb, -1, 1);
                int aRs = ta ? 1 : lda, aCs = ta ? lda : 1, bRs = tb ? 1 : ldb, bCs = tb ? ldb : 1;
                for (boolean acc : new boolean[] {false, true}) {
                    for (boolean serial : new boolean[] {false, true}) {
                        float[] c1 = random(OFF + Math.max(1, m) * ldc, -1, 1), c2 = c1.clone(), c3 = c1.clone();
                        if (!serial) { // B read from a file region, as a mapped weight is: the same bits as from the array
                            fast.matmul(m, n, k, a, OFF, aRs, aCs, littleEndian(b), OFF, bRs, bCs, c3, OFF, ldc, acc);
                        }
                        if (serial) {
                            ref.matmulSerial(m, n, k, a, OFF, aRs, aCs, b, OFF, bRs, bCs, c1, OFF, ldc, acc);
                            fast.matmulSerial(m, n, k, a, OFF, aRs, aCs, b, OFF, bRs, bCs, c2, OFF, ldc, acc);
                        } else {
                            ref.matmul(m, n, k, a, OFF, aRs, aCs, b, OFF, bRs, bCs, c1, OFF, ldc, acc);
                            fast.matmul(m, n, k, a, OFF, aRs, aCs, b, OFF, bRs, bCs, c2, OFF, ldc, acc);
                        }
                        same("matmul" + (serial ? "Serial" : "") + " m=" + m + " n=" + n + " k=" + k + " aT=" + ta + " bT=" + tb
                                + " acc=" + acc, c1, c2, 2e-6 * (k + 1), 1e-5);
                        if (!serial && !acc) { // a bias added inside the product, against C filled with it first
                            float[] bias = random(Math.max(1, n), -1, 1);
                            float[] filled = c1.clone(), fused = c1.clone(), fusedMapped = c1.clone();
                            for (int i = 0; i < m; i++) System.arraycopy(bias, 0, filled, OFF + i * ldc, n);
                            fast.matmul(m, n, k, a, OFF, aRs, aCs, b, OFF, bRs, bCs, filled, OFF, ldc, true);
                            fast.matmulBias(m, n, k, a, OFF, aRs, aCs, b, OFF, bRs, bCs, bias, fused, OFF, ldc);
                            fast.matmulBias(m, n, k, a, OFF, aRs, aCs, littleEndian(b), OFF, bRs, bCs, bias, fusedMapped, OFF, ldc);
                            String at = " m=" + m + " n=" + n + " k=" + k + " aT=" + ta + " bT=" + tb;
                            if (!Arrays.equals(filled, fused)) failures.add("matmulBias" + at + ": differs from C filled with the bias at " + Arrays.mismatch(filled, fused));
                            if (!Arrays.equals(filled, fusedMapped)) failures.add("matmulBias, B mapped" + at + ": differs at " + Arrays.mismatch(filled, fusedMapped));
                        }
                        if (!serial && !Arrays.equals(c2, c3)) {
                            failures.add("matmul with B mapped m=" + m + " n=" + n + " k=" + k + " aT=" + ta + " bT=" + tb + " acc=" + acc
                                    + ": differs from B in an array at " + Arrays.mismatch(c2, c3));
                        }
                    }
                }
            }
        }
    }

    /** The values as little-endian float32 in native memory, the layout of a mapped safetensors weight. */
    private static MemorySegment littleEndian(float[] values) {
        MemorySegment seg = Arena.ofAuto().allocate((long) Math.max(1, values.length) * Float.BYTES);
        MemorySegment.copy(values, 0, seg, MappedWeights.FLOAT, 0, values.length);
        return seg;
    }

    /** b, h, lq, lk, d, dv, causal, padding, bias: several query blocks, a decoding step, masked rows. */
    private static final int[][] ATTENTION = {
            {2, 3, 70, 70, 16, 16, 1, 1, 1}, {1, 2, 5, 9, 8, 12, 0, 0, 0}, {2, 2, 1, 37, 33, 17, 1, 1, 0},
            {1, 1, 130, 130, 4, 4, 1, 0, 1}, {1, 2, 3, 3, 1, 1, 0, 1, 1}};

    private void attention() {
        for (int[] c : ATTENTION) {
            int bsz = c[0], h = c[1], lq = c[2], lk = c[3], d = c[4], dv = c[5];
            boolean causal = c[6] == 1;
            float[] qd = random(bsz * h * lq * d, -1, 1), kd = random(bsz * h * lk * d, -1, 1), vd = random(bsz * h * lk * dv, -1, 1);
            int[] pad = null;
            if (c[7] == 1) {
                pad = new int[bsz * lk];
                Arrays.fill(pad, 1);
                pad[0] = 0;
                if (bsz > 1) Arrays.fill(pad, lk, 2 * lk, 0); // the second batch entry sees no key at all
            }
            float[] bias = c[8] == 1 ? random(bsz * h * lq * lk, -1, 1) : null;
            Attend at = new Attend(rows(qd, bsz * h, lq, d), rows(kd, bsz * h, lk, d), rows(vd, bsz * h, lk, dv),
                    bsz, h, lq, lk, d, dv, bias, causal, pad, (float) (1 / Math.sqrt(d)));
            float[][] r1 = runAttention(ref, at), r2 = runAttention(fast, at);
            String[] names = {"probs", "out", "gq", "gk", "gv", "gs"};
            for (int i = 0; i < names.length; i++) {
                same("attention " + Arrays.toString(c) + " " + names[i], r1[i], r2[i], 2e-5, 1e-4);
            }
        }
    }

    private static Attend.Rows rows(float[] data, int pairs, int l, int d) {
        int[] base = new int[pairs];
        for (int bh = 0; bh < pairs; bh++) base[bh] = bh * l * d;
        return new Attend.Rows(data, base, d);
    }

    private float[][] runAttention(Kernels k, Attend at) {
        int pairs = at.bsz() * at.h();
        float[] probs = new float[pairs * at.lq() * at.lk()], out = new float[pairs * at.lq() * at.dv()];
        for (int bh = 0; bh < pairs; bh++) k.attentionForward(at, bh, probs, out);
        SplittableRandom r = new SplittableRandom(99);
        float[] go = new float[out.length];
        for (int i = 0; i < go.length; i++) go[i] = (float) r.nextDouble(-1, 1);
        float[] gq = new float[pairs * at.lq() * at.d()], gk = new float[pairs * at.lk() * at.d()];
        float[] gv = new float[pairs * at.lk() * at.dv()], gs = new float[probs.length];
        for (int bh = 0; bh < pairs; bh++) k.attentionBackward(at, bh, probs, go, gq, gk, gv, gs);
        return new float[][] {probs, out, gq, gk, gv, gs};
    }

    /**
     * Child-JVM entry: the matrix-product cases of {@link GemmCases} and every kernel of the active backend against
     * the scalar reference; with an argument, also writes the op-level results of {@code org.ablate.tensor.WidthOps}
     * to that file. Exits 0 when everything agrees, 1 otherwise, after printing the backend and the failures.
     */
    public static void main(String[] args) throws Exception {
        List<String> failures = new ArrayList<>(GemmCases.run());
        failures.addAll(run(Kernels.ACTIVE, new ScalarKernels()));
        System.out.println(Kernels.ACTIVE.describe());
        System.out.println(Gemm.describe());
        if (args.length > 0) org.ablate.tensor.WidthOps.write(Path.of(args[0]));
        failures.forEach(System.out::println);
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
