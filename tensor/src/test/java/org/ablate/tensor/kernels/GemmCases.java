package org.ablate.tensor.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Compares {@link Gemm#sgemm} with {@link Gemm#reference} over awkward sizes, transposed and strided operands,
 * offsets and accumulation. Runs in-process from {@link GemmTest} and in a child JVM per forced vector width
 * from {@link VectorWidthTest} (the width is fixed when {@link Gemm} is initialised).
 */
final class GemmCases {
    /** m, n, k triples: edge sizes around every tile and block boundary, and both parallel split directions. */
    static final int[][] SIZES = {
            {1, 1, 1}, {1, 3, 17}, {3, 1, 65}, {17, 65, 3}, {65, 17, 257}, {3, 257, 65}, {257, 3, 17},
            {1, 1000, 17}, {1000, 1, 3}, {17, 17, 1000}, {65, 65, 65}, {257, 65, 17}, {1000, 17, 65},
            {17, 1000, 65}, {65, 257, 257}, {6, 32, 256}, {12, 64, 513}, {0, 5, 3}, {4, 0, 3}, {5, 4, 0},
            {2, 300, 40}, {2, 3000, 70}, {1, 2500, 129}, {1, 5000, 3},
            // parallel path: more columns than one NC block; several column groups over two k panels
            {20, 3100, 20}, {150, 1100, 600}
    };

    private GemmCases() {
    }

    /** A matrix of rows×cols stored with a given layout inside a larger array. */
    record Operand(float[] data, int off, int rowStride, int colStride) {
        float at(int r, int c) {
            return data[off + r * rowStride + c * colStride];
        }
    }

    /**
     * Lays out values v(r,c) either row-major with padded rows or transposed (column-major with padding),
     * after a leading offset, so the kernel must honour every stride.
     */
    static Operand layout(int rows, int cols, boolean transposed, int pad, int off, SplittableRandom rnd,
                          boolean integers) {
        int ld = (transposed ? rows : cols) + pad;
        int outer = transposed ? cols : rows;
        float[] d = new float[off + Math.max(1, outer) * ld];
        for (int i = 0; i < d.length; i++) {
            d[i] = Float.NaN; // padding must never be read into a result
        }
        Operand o = transposed ? new Operand(d, off, 1, ld) : new Operand(d, off, ld, 1);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                d[o.off + r * o.rowStride + c * o.colStride] = integers
                        ? rnd.nextInt(-2, 3) : (float) rnd.nextDouble(-1, 1);
            }
        }
        return o;
    }

    /** Runs every case; returns a description of each failure (empty when all agree). */
    static List<String> run() {
        List<String> failures = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(42);
        int variant = 0;
        for (int[] s : SIZES) {
            for (int v = 0; v < 3; v++, variant++) {
                boolean ta = (variant & 1) != 0;
                boolean tb = (variant & 2) != 0;
                boolean acc = (variant % 3) == 0;
                boolean integers = v == 2;
                check(s[0], s[1], s[2], ta, tb, acc, integers, variant % 4, rnd, failures);
            }
        }
        // B transposed (x·Wᵀ, the layout of every linear layer): full slivers are packed in p blocks, the ragged
        // last sliver by the scalar loop; sizes straddle sliver widths and a k panel boundary, alone and in parallel
        for (int[] s : TRANSPOSED_B) {
            for (int v = 0; v < 2; v++) {
                check(s[0], s[1], s[2], false, true, v == 0, false, v + 1, rnd, failures);
                check(s[0], s[1], s[2], true, true, v == 1, true, v, rnd, failures);
            }
        }
        return failures;
    }

    /** m, n, k for the transposed-B cases. */
    static final int[][] TRANSPOSED_B = {
            {9, 33, 5}, {19, 70, 45}, {7, 64, 31}, {40, 97, 130}, {70, 100, 600}, {130, 129, 77}, {3, 48, 16}
    };

    static void check(int m, int n, int k, boolean ta, boolean tb, boolean acc, boolean integers, int pad,
                      SplittableRandom rnd, List<String> failures) {
        Operand a = layout(m, k, ta, pad, 3, rnd, integers);
        Operand b = layout(k, n, tb, pad + 1, 5, rnd, integers);
        int cOff = 7;
        int ldc = n + pad;
        float[] fast = new float[cOff + Math.max(1, m) * ldc];
        for (int i = 0; i < fast.length; i++) {
            fast[i] = integers ? rnd.nextInt(-3, 4) : (float) rnd.nextDouble(-1, 1);
        }
        float[] ref = fast.clone();
        float[] before = fast.clone();
        Gemm.sgemm(m, n, k, a.data, a.off, a.rowStride, a.colStride, b.data, b.off, b.rowStride, b.colStride,
                fast, cOff, ldc, acc);
        Gemm.reference(m, n, k, a.data, a.off, a.rowStride, a.colStride, b.data, b.off, b.rowStride,
                b.colStride, ref, cOff, ldc, acc);
        String what = "m=" + m + " n=" + n + " k=" + k + " aT=" + ta + " bT=" + tb + " acc=" + acc
                + " ints=" + integers;
        for (int idx = 0; idx < fast.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) {
                if (Float.floatToRawIntBits(fast[idx]) != Float.floatToRawIntBits(before[idx])) {
                    failures.add(what + ": wrote outside C at index " + idx);
                    return;
                }
                continue;
            }
            int i = rel / ldc;
            int j = rel % ldc;
            double absSum = acc ? Math.abs(before[idx]) : 0;
            for (int p = 0; p < k; p++) {
                absSum += Math.abs((double) a.at(i, p) * b.at(p, j));
            }
            // Integer inputs give exact sums in any order; otherwise allow rounding growth with k.
            double tol = integers ? 0 : 1e-5 * absSum + 1e-30;
            if (!(Math.abs(fast[idx] - ref[idx]) <= tol)) {
                failures.add(what + ": C[" + i + "," + j + "] fast " + fast[idx] + " reference " + ref[idx]
                        + " tolerance " + tol);
                return;
            }
        }
    }

    /** Child-JVM entry: exits 0 when every case agrees, 1 otherwise, after printing the failures. */
    public static void main(String[] args) {
        List<String> failures = run();
        System.out.println(Gemm.describe());
        failures.forEach(System.out::println);
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
