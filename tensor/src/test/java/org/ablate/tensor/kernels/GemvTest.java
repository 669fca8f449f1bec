package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemvTest {
    private static final int[] SIZES = {1, 3, 17, 65, 257, 1000};

    /** The three layouts of B: transposed row-major weight (dot form), row-major (axpy form), neither (strided). */
    @Test
    void fastPathMatchesReferenceOnAwkwardSizesAndLayouts() {
        SplittableRandom rnd = new SplittableRandom(11);
        List<String> failures = new ArrayList<>();
        for (int n : SIZES) {
            for (int k : SIZES) {
                for (int layout = 0; layout < 3; layout++) {
                    for (int xStride : new int[] {1, 3}) {
                        for (boolean acc : new boolean[] {false, true}) {
                            check(rnd, n, k, layout, xStride, acc, failures);
                        }
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    private static void check(SplittableRandom rnd, int n, int k, int layout, int xStride, boolean acc, List<String> failures) {
        int xOff = 5, bOff = 7, yOff = 3;
        float[] x = random(rnd, xOff + k * xStride);
        // layout 0: B = Wᵀ with W [n, k + 2] row-major (padded rows); 1: B [k, n + 1] row-major; 2: both strides > 1
        int bRs, bCs, bLen;
        switch (layout) {
            case 0 -> { bRs = 1; bCs = k + 2; bLen = bOff + n * (k + 2); }
            case 1 -> { bRs = n + 1; bCs = 1; bLen = bOff + k * (n + 1); }
            default -> { bRs = 2; bCs = 2 * k + 1; bLen = bOff + n * (2 * k + 1) + 1; }
        }
        float[] b = random(rnd, bLen);
        float[] y = random(rnd, yOff + n + 4);
        float[] ref = y.clone();
        Gemv.gemv(n, k, x, xOff, xStride, b, bOff, bRs, bCs, y, yOff, acc);
        Gemv.reference(n, k, x, xOff, xStride, b, bOff, bRs, bCs, ref, yOff, acc);
        for (int i = 0; i < y.length; i++) {
            boolean inside = i >= yOff && i < yOff + n;
            float tol = inside ? 1e-5f * (k + 1) : 0f;
            if (!(Math.abs(y[i] - ref[i]) <= tol)) {
                failures.add("n=" + n + " k=" + k + " layout=" + layout + " xStride=" + xStride + " acc=" + acc
                        + " at " + i + ": " + y[i] + " vs reference " + ref[i]);
                return;
            }
        }
    }

    /**
     * Decoding reads a weight's rows sixteen at a time or one after another (ablate.gemv.rows), from an array or a
     * mapped file (a shared arena: the pool reads it): all four give the same bits, with a scalar tail (k = 70, rows
     * apart) and with rows that follow one another a whole number of vectors long (which the mapped kernel reads as one
     * run of bytes), on the calling thread and over the pool.
     */
    @Test
    void oneRowAtATimeAndSixteenGiveTheSameBitsFromArraysAndMappedFiles() {
        SplittableRandom rnd = new SplittableRandom(13);
        int[][] layouts = {{70, 73, 5}, {64, 64, 5}, {128, 128, 0}}; // k, row step, offset of row 0
        for (int[] layout : layouts) for (int n : new int[] {37, 1000}) {
            int k = layout[0], rowStep = layout[1], wOff = layout[2];
            float[] x = random(rnd, k), w = random(rnd, wOff + n * rowStep);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                java.lang.foreign.MemorySegment file = arena.allocate((long) w.length * Float.BYTES, 64);
                java.lang.foreign.MemorySegment.copy(w, 0, file, MappedWeights.FLOAT, 0, w.length);
                float[] sixteen = new float[n], one = new float[n], mappedSixteen = new float[n], mappedOne = new float[n];
                Gemv.gemv(16, n, k, x, 0, 1, w, wOff, 1, rowStep, sixteen, 0, false);
                Gemv.gemv(1, n, k, x, 0, 1, w, wOff, 1, rowStep, one, 0, false);
                Gemv.mapped(16, 1, n, k, x, 0, k, 1, file, wOff, rowStep, mappedSixteen, 0, n, false);
                Gemv.mapped(1, 1, n, k, x, 0, k, 1, file, wOff, rowStep, mappedOne, 0, n, false);
                float[] expected = new float[n];
                Gemv.reference(n, k, x, 0, 1, w, wOff, 1, rowStep, expected, 0, false);
                String at = "k=" + k + ", row step " + rowStep + ", n=" + n;
                for (int j = 0; j < n; j++) assertEquals(expected[j], sixteen[j], 1e-4f, at + ", output " + j);
                assertArrayEquals(sixteen, one, "one row at a time, " + at);
                assertArrayEquals(sixteen, mappedSixteen, "mapped, sixteen rows, " + at);
                assertArrayEquals(sixteen, mappedOne, "mapped, one row at a time, " + at);
            }
        }
    }

    @Test
    void rowsInFlightIsOneOrSixteenAndRefusesAnythingElse() {
        assertEquals(16, Gemv.rowsInFlight(null));
        assertEquals(16, Gemv.rowsInFlight(" "));
        assertEquals(1, Gemv.rowsInFlight("1"));
        assertEquals(16, Gemv.rowsInFlight(" 16 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gemv.rowsInFlight("4"));
        assertEquals("ablate.gemv.rows must be 1 or 16, got 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gemv.rowsInFlight("sixteen"));
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) rnd.nextDouble(-1, 1);
        return a;
    }

    @Test
    void referenceComputesKnownProduct() {
        // [1,2] · [[3,4,5],[6,7,8]] = [15,18,21]
        float[] x = {1, 2};
        float[] b = {3, 4, 5, 6, 7, 8};
        float[] y = new float[3];
        Gemv.reference(3, 2, x, 0, 1, b, 0, 3, 1, y, 0, false);
        assertArrayEquals(new float[] {15, 18, 21}, y);
        float[] f = {1, 1, 1};
        Gemv.gemv(3, 2, x, 0, 1, b, 0, 3, 1, f, 0, true);
        assertArrayEquals(new float[] {16, 19, 22}, f);
    }

    @Test
    void kZeroClearsOrKeepsYAndNegativeSizesAreRejected() {
        float[] y = {1, 2};
        Gemv.gemv(2, 0, new float[0], 0, 1, new float[0], 0, 1, 1, y, 0, true);
        assertArrayEquals(new float[] {1, 2}, y);
        Gemv.gemv(2, 0, new float[0], 0, 1, new float[0], 0, 1, 1, y, 0, false);
        assertArrayEquals(new float[2], y);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemv.gemv(-1, 2, new float[2], 0, 1, new float[2], 0, 1, 1, new float[2], 0, false));
        assertTrue(e.getMessage().contains("gemv"), e.getMessage());
    }

    @Test
    void largeProductSplitOverThePoolMatchesGemm() {
        // big enough to take the parallel path in both vectorised layouts
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 1000, k = 257;
        float[] x = random(rnd, k), w = random(rnd, n * k);
        float[] y = new float[n], c = new float[n];
        Gemv.gemv(n, k, x, 0, 1, w, 0, 1, k, y, 0, false);
        Gemm.reference(1, n, k, x, 0, k, 1, w, 0, 1, k, c, 0, n, false);
        for (int j = 0; j < n; j++) assertEquals(c[j], y[j], 1e-4f, "dot form, output " + j);
        float[] bRowMajor = random(rnd, k * n);
        Gemv.gemv(n, k, x, 0, 1, bRowMajor, 0, n, 1, y, 0, false);
        Gemm.reference(1, n, k, x, 0, k, 1, bRowMajor, 0, n, 1, c, 0, n, false);
        for (int j = 0; j < n; j++) assertEquals(c[j], y[j], 1e-4f, "axpy form, output " + j);
    }

    @Test
    void smallMMatchesReferenceOnAwkwardSizesAndFallsBackOnOtherLayouts() {
        SplittableRandom rnd = new SplittableRandom(5);
        // row counts around the 4-row tiles (whole tiles, tiles plus 1..3 leftover rows, fewer than a tile) and
        // weight-row counts with 0..3 left over after the 4-row tiles, k with and without a vector tail
        for (int m : new int[] {1, 2, 3, 4, 5, 7, 8, 13, 16}) {
            for (int n : new int[] {1, 3, 4, 6, 17, 65, 66, 257, 1000}) {
                for (int k : new int[] {1, 15, 16, 17, 257}) {
                    for (boolean weightLayout : new boolean[] {true, false}) {
                        int aRs = k + 3, cRs = n + 2;
                        float[] a = random(rnd, 2 + m * aRs);
                        // weightLayout: B = Wᵀ, W [n, k+1] row-major; otherwise B [k, n] row-major (the Gemm fallback)
                        int bRs = weightLayout ? 1 : n, bCs = weightLayout ? k + 1 : 1;
                        float[] b = random(rnd, 1 + (weightLayout ? n * (k + 1) : k * n));
                        float[] c = random(rnd, 4 + m * cRs), ref = c.clone();
                        boolean acc = (n & 1) == 1;
                        Gemv.smallM(m, n, k, a, 2, aRs, 1, b, 1, bRs, bCs, c, 4, cRs, acc);
                        Gemm.reference(m, n, k, a, 2, aRs, 1, b, 1, bRs, bCs, ref, 4, cRs, acc);
                        for (int i = 0; i < c.length; i++) {
                            assertEquals(ref[i], c[i], 1e-5f * (k + 1), "m=" + m + " n=" + n + " k=" + k
                                    + " weightLayout=" + weightLayout + " at " + i);
                        }
                    }
                }
            }
        }
    }

    /** Long weight rows (a feed-forward output projection) make smallM use blocks of 16 weight rows, not 64. */
    @Test
    void smallMWithLongRowsMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (int[] mnk : new int[][] {{6, 37, 3101}, {16, 70, 4096}, {9, 16, 3072}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            float[] a = random(rnd, m * k), w = random(rnd, n * k);
            float[] c = new float[m * n], ref = new float[m * n];
            Gemv.smallM(m, n, k, a, 0, k, 1, w, 0, 1, k, c, 0, n, false);
            Gemm.reference(m, n, k, a, 0, k, 1, w, 0, 1, k, ref, 0, n, false);
            for (int i = 0; i < c.length; i++) {
                assertEquals(ref[i], c[i], 1e-5f * (k + 1), "m=" + m + " n=" + n + " k=" + k + " at " + i);
            }
        }
    }

    @Test
    void parallelForRunsEveryTaskOnceAndRethrows() {
        for (int round = 0; round < 50; round++) {
            int[] hits = new int[37];
            Parallel.parallelFor(hits.length, i -> hits[i]++);
            for (int i = 0; i < hits.length; i++) assertEquals(1, hits[i], "task " + i + " in round " + round);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.parallelFor(10, i -> {
            if (i == 7) throw new IllegalStateException("task 7 failed");
        }));
        assertEquals("task 7 failed", e.getMessage());
    }
}
