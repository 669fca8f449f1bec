package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GemmTest {
    @Test
    void fastPathMatchesReferenceOnAwkwardSizesAndLayouts() {
        List<String> failures = GemmCases.run();
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
    }

    @Test
    void referenceComputesKnownProduct() {
        // [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]]
        float[] a = {1, 2, 3, 4};
        float[] b = {5, 6, 7, 8};
        float[] c = new float[4];
        Gemm.reference(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, false);
        assertArrayEquals(new float[] {19, 22, 43, 50}, c);
        float[] f = {1, 1, 1, 1};
        Gemm.sgemm(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, f, 0, 2, true);
        assertArrayEquals(new float[] {20, 23, 44, 51}, f);
    }

    @Test
    void serialEntryMatchesReferenceWithTransposedOperands() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int[] s : new int[][] {{70, 75, 3}, {75, 2, 70}, {2, 9, 64}, {64, 256, 64}}) {
            int m = s[0], n = s[1], k = s[2];
            GemmCases.Operand a = GemmCases.layout(m, k, true, 2, 1, rnd, false);
            GemmCases.Operand b = GemmCases.layout(k, n, true, 1, 4, rnd, false);
            float[] fast = new float[m * n], ref = new float[m * n];
            Gemm.sgemmSerial(m, n, k, a.data(), a.off(), a.rowStride(), a.colStride(), b.data(), b.off(),
                    b.rowStride(), b.colStride(), fast, 0, n, false);
            Gemm.reference(m, n, k, a.data(), a.off(), a.rowStride(), a.colStride(), b.data(), b.off(),
                    b.rowStride(), b.colStride(), ref, 0, n, false);
            assertArrayEquals(ref, fast, 1e-4f, m + "x" + n + "x" + k);
        }
    }

    /**
     * The two schedules of a product with few row blocks per thread (Gemm.Schedule) must give the same bits, since
     * the automatic choice between them follows the host's timing: every awkward size and layout of GemmCases, with
     * and without accumulation, row strips (m ≥ n) and column strips, on 2 and 3 threads, and with a bias.
     */
    @Test
    void splitAndSharedSchedulesGiveTheSameBits() {
        SplittableRandom rnd = new SplittableRandom(5);
        int cases = 0;
        for (int[] s : GemmCases.SIZES) {
            int m = s[0], n = s[1], k = s[2];
            if (m == 0 || n == 0 || k == 0) continue;
            for (int v = 0; v < 4; v++) {
                boolean ta = (v & 1) != 0, tb = (v & 2) != 0, acc = v == 1;
                int threads = 2 + (v & 1);
                GemmCases.Operand a = GemmCases.layout(m, k, ta, v, 3, rnd, false);
                GemmCases.Operand b = GemmCases.layout(k, n, tb, v + 1, 5, rnd, false);
                float[] shared = new float[2 + m * (n + 1)];
                for (int i = 0; i < shared.length; i++) shared[i] = (float) rnd.nextDouble(-1, 1);
                float[] split = shared.clone();
                float[] bias = acc ? null : new float[n];
                if (bias != null) for (int j = 0; j < n; j++) bias[j] = (float) rnd.nextDouble(-1, 1);
                Gemm.parallelBlocked(m, n, k, a.data(), a.off(), a.rowStride(), a.colStride(), b.data(), b.off(),
                        b.rowStride(), b.colStride(), shared, 2, n + 1, acc, threads, bias);
                Gemm.split(m, n, k, a.data(), a.off(), a.rowStride(), a.colStride(), b.data(), b.off(),
                        b.rowStride(), b.colStride(), split, 2, n + 1, acc, threads, bias);
                int at = java.util.Arrays.mismatch(shared, split);
                assertEquals(-1, at, m + "x" + n + "x" + k + " aT=" + ta + " bT=" + tb + " acc=" + acc + " threads="
                        + threads + ": split and shared schedules differ at " + at);
                cases++;
            }
        }
        assertTrue(cases > 80, "cases run: " + cases);
        // B in a mapped region (a weight used in place from its file): both schedules pack it from there
        for (int[] sh : new int[][] {{40, 97, 130}, {130, 40, 600}, {20, 3100, 20}}) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (boolean tb : new boolean[] {false, true}) {
                GemmCases.Operand a = GemmCases.layout(m, k, false, 0, 0, rnd, false);
                float[] bValues = new float[k * n];
                for (int i = 0; i < bValues.length; i++) bValues[i] = (float) rnd.nextDouble(-1, 1);
                java.lang.foreign.MemorySegment b = java.lang.foreign.Arena.ofAuto().allocate((long) bValues.length * Float.BYTES);
                java.lang.foreign.MemorySegment.copy(bValues, 0, b, MappedWeights.FLOAT, 0, bValues.length);
                int bRs = tb ? 1 : n, bCs = tb ? k : 1;
                float[] shared = new float[m * n], split = new float[m * n];
                Gemm.parallelBlocked(m, n, k, a.data(), a.off(), a.rowStride(), a.colStride(), b, 0, bRs, bCs,
                        shared, 0, n, false, 2, null);
                Gemm.split(m, n, k, a.data(), a.off(), a.rowStride(), a.colStride(), b, 0, bRs, bCs, split, 0, n, false, 2, null);
                assertEquals(-1, java.util.Arrays.mismatch(shared, split), m + "x" + n + "x" + k + " B mapped, bT=" + tb);
            }
        }
    }

    @Test
    void productsWithFewRowBlocksReportWhichScheduleTheyRan() {
        int n = 136; // 2 row blocks: fewer than a home per thread
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        java.util.Arrays.fill(a, 1f);
        java.util.Arrays.fill(b, 2f);
        assertTrue(Double.isNaN(Gemm.splitShare(n, n, n)), "no product of this shape yet");
        for (int i = 0; i < 40; i++) Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        assertEquals(2f * n, c[c.length - 1]);
        double share = Gemm.splitShare(n, n, n);
        if (Parallel.threads() == 1) {
            assertTrue(Double.isNaN(share), "one thread: nothing to choose");
        } else {
            // the first 2 × WINDOW calls take the two in turn; after that at least one call in RETRY_EVERY each way
            assertTrue(share >= 2.0 / 40 && share <= 38.0 / 40, "split share " + share);
        }
    }

    @Test
    void scheduleSettingIsCheckedInOneLine() {
        assertEquals(Gemm.Schedule.AUTO, Gemm.schedule(null));
        assertEquals(Gemm.Schedule.SPLIT, Gemm.schedule(" split "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gemm.schedule("fast"));
        assertEquals("ablate.gemm.schedule must be auto, shared or split, got 'fast'", e.getMessage());
    }

    @Test
    void columnSplitKeepsBothThreadsBusy() {
        // 15 row blocks alone leave one of 2 threads idle for 1/15 of the product; 2 column parts make 30 tasks,
        // worth it when the columns are many (3,072), not when they are few (256): each part packs its A block again
        assertEquals(2, Gemm.columnParts(15, 96, 2));
        assertEquals(1, Gemm.columnParts(15, 8, 2));
        assertEquals(1, Gemm.columnParts(57, 32, 2), "W2's 4,096 rows: enough blocks to balance without splitting");
        // one row block needs column parts to feed any thread at all
        assertTrue(Gemm.columnParts(1, 96, 2) >= 8);
        assertEquals(1, Gemm.columnParts(1, 1, 2));
    }

    @Test
    void productsOverManyRowsRunEveryTaskOnce() {
        // small integers: every order of summation gives the exact result, so a task run twice or never shows
        for (int[] s : new int[][] {{1200, 200, 600}, {1024, 768, 96}, {577, 33, 1030}}) {
            int m = s[0], n = s[1], k = s[2];
            SplittableRandom rnd = new SplittableRandom(m);
            float[] a = new float[m * k], w = new float[n * k], bias = new float[n];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(-2, 3);
            for (int i = 0; i < w.length; i++) w[i] = rnd.nextInt(-2, 3);
            for (int j = 0; j < n; j++) bias[j] = j;
            float[] c = new float[m * n], ref = new float[m * n];
            Gemm.sgemmBias(m, n, k, a, 0, k, 1, w, 0, 1, k, bias, c, 0, n); // x·Wᵀ + b, a linear layer
            for (int i = 0; i < m; i++) System.arraycopy(bias, 0, ref, i * n, n);
            Gemm.reference(m, n, k, a, 0, k, 1, w, 0, 1, k, ref, 0, n, true);
            assertArrayEquals(ref, c, m + "x" + n + "x" + k);
        }
    }

    @Test
    void rowBlocksSplitEvenlyOverTheThreads() {
        for (int m : new int[] {1024, 4096, 2048 + 40, 300, 7}) {
            int rows = Gemm.rowBlock(m, 2);
            int blocks = (m + rows - 1) / rows;
            assertTrue(rows % Gemm.MR == 0 && rows <= Gemm.MC, m + ": " + rows + " rows per block");
            assertTrue(blocks % 2 == 0 || rows == Gemm.MC, m + " rows in " + blocks + " blocks of " + rows);
        }
        assertEquals(0, ((1024 + Gemm.rowBlock(1024, 2) - 1) / Gemm.rowBlock(1024, 2)) % 2, "BERT's 8 x 128 rows");
        assertEquals(Gemm.MC, Gemm.rowBlock(1024, 1));
    }

    @Test
    void kZeroClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4};
        Gemm.sgemm(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, true);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c);
        Gemm.sgemm(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, false);
        assertArrayEquals(new float[4], c);
    }

    @Test
    void batchedMatchesPerMatrixReferenceIncludingBroadcastOperand() {
        SplittableRandom rnd = new SplittableRandom(7);
        int batch = 5;
        int m = 17;
        int n = 33;
        int k = 40;
        float[] a = new float[batch * m * k];
        float[] b = new float[k * n]; // shared by all batch entries (batch stride 0), read transposed
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextInt(-3, 4);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextInt(-3, 4);
        }
        float[] c = new float[batch * m * n];
        float[] ref = new float[batch * m * n];
        Gemm.sgemmBatched(batch, m, n, k, a, 0, m * k, k, 1, b, 0, 0, 1, k, c, 0, m * n, n, false);
        for (int t = 0; t < batch; t++) {
            Gemm.reference(m, n, k, a, t * m * k, k, 1, b, 0, 1, k, ref, t * m * n, n, false);
        }
        assertArrayEquals(ref, c);
    }

    @Test
    void parallelRunsEveryTaskOnceAndPropagatesFailures() {
        int[] hits = new int[1000];
        Parallel.parallelFor(hits.length, i -> hits[i]++);
        for (int h : hits) {
            assertEquals(1, h);
        }
        int[] covered = new int[777];
        Parallel.parallelRange(covered.length, 10, (s, e) -> {
            for (int i = s; i < e; i++) {
                covered[i]++;
            }
        });
        for (int h : covered) {
            assertEquals(1, h);
        }
        // Nested use from inside a pool task must not deadlock.
        int[] nested = new int[64];
        Parallel.parallelFor(8, o -> Parallel.parallelFor(8, i -> nested[o * 8 + i]++));
        for (int h : nested) {
            assertEquals(1, h);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.parallelFor(10, i -> {
            if (i == 7) {
                throw new IllegalStateException("task 7");
            }
        }));
        assertEquals("task 7", e.getMessage());
    }

    @Test
    void concurrentCallersEachGetTheirOwnCorrectProduct() throws Exception {
        int n = 96;
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextInt(-3, 4);
            b[i] = rnd.nextInt(-3, 4);
        }
        float[] expected = new float[n * n];
        Gemm.reference(n, n, n, a, 0, n, 1, b, 0, n, 1, expected, 0, n, false);
        Thread[] callers = new Thread[4];
        float[][] results = new float[callers.length][n * n];
        for (int t = 0; t < callers.length; t++) {
            int id = t;
            callers[t] = new Thread(() -> {
                for (int rep = 0; rep < 20; rep++) {
                    Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, results[id], 0, n, false);
                }
            });
            callers[t].start();
        }
        for (Thread t : callers) {
            t.join();
        }
        for (float[] r : results) {
            assertArrayEquals(expected, r);
        }
    }

    @Test
    void rejectsNegativeSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(-1, 2, 2, new float[4], 0, 2, 1, new float[4], 0, 2, 1, new float[4], 0, 2, false));
        assertTrue(e.getMessage().contains("m=-1"), e.getMessage());
    }

    @Test
    void columnGroupsAreAQuarterOfTheL2LinuxReports(@TempDir Path dir) throws Exception {
        Path caches = dir.resolve("cache");
        writeCache(caches.resolve("index0"), "1", "48K");
        writeCache(caches.resolve("index2"), "2", "1024K");
        assertEquals(64 * 1024, Gemm.quarterOfL2Floats(caches), "1 MiB L2");
        writeCache(caches.resolve("index2"), "2", "2M");
        assertEquals(128 * 1024, Gemm.quarterOfL2Floats(caches), "2 MiB L2");
        writeCache(caches.resolve("index2"), "2", "lots");
        assertEquals(128 * 1024, Gemm.quarterOfL2Floats(caches), "an unreadable size falls back");
        assertEquals(128 * 1024, Gemm.quarterOfL2Floats(dir.resolve("missing")), "no cache folder falls back");
    }

    private static void writeCache(Path index, String level, String size) throws IOException {
        Files.createDirectories(index);
        Files.writeString(index.resolve("level"), level + "\n");
        Files.writeString(index.resolve("size"), size + "\n");
    }
}
