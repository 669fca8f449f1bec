package org.ablate.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.Params;
import org.ablate.platform.ParamValidation;

class LengthGroupsTest {
    @TempDir Path dir;

    private static int[] lengths(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = 3 + r.nextInt(120);
        return l;
    }

    /** Grouping changes which rows share a batch, not how often a row is drawn: a chi-square test against 1/n. */
    @Test void everyRowIsDrawnEquallyOften() {
        int n = 100, batch = 4, draws = 50_000;
        LengthGroups g = new LengthGroups(lengths(n, 1));
        long[] count = new long[n];
        SplittableRandom r = new SplittableRandom(7);
        for (int d = 0; d < draws; d++) for (int k : g.sample(batch, r)) count[k]++;
        double expected = (double) draws * batch / n, chi2 = 0;
        for (long c : count) chi2 += (c - expected) * (c - expected) / expected;
        // 99 degrees of freedom: P(chi2 > 148) is about 0.001 for a uniform draw; a row-biased scheme lands far above
        assertTrue(chi2 < 148, "chi-square " + chi2 + " over 100 rows");
    }

    @Test void groupedBatchesPadFarLess() {
        int n = 2000, batch = 16;
        int[] lengths = lengths(n, 2);
        LengthGroups g = new LengthGroups(lengths);
        SplittableRandom r1 = new SplittableRandom(3), r2 = new SplittableRandom(3);
        int[][] grouped = new int[200][], uniform = new int[200][];
        for (int i = 0; i < 200; i++) {
            grouped[i] = g.sample(batch, r1);
            uniform[i] = r2.ints(batch, 0, n).toArray();
        }
        double gp = LengthGroups.paddingShare(grouped, lengths), up = LengthGroups.paddingShare(uniform, lengths);
        // lengths uniform on 3..122: a random batch of 16 pads about half its positions; a group of 128 rows spans ~8 tokens, ~5 % padding
        assertTrue(up > 0.4, "uniform batches pad " + up);
        assertTrue(gp < 0.1, "grouped batches pad " + gp);
    }

    @Test void theSameSeedDrawsTheSameBatches() {
        LengthGroups g = new LengthGroups(lengths(300, 4));
        assertArrayEquals(g.sample(8, new SplittableRandom(9)), g.sample(8, new SplittableRandom(9)));
    }

    /** Through parallel-text: with group_by_length a training batch's source and target lengths are close. */
    @Test void parallelTextBatchesGroupByLength() throws IOException {
        StringBuilder tsv = new StringBuilder();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 400; i++) {
            int len = 1 + r.nextInt(60);
            tsv.append("s".repeat(len)).append('\t').append("t".repeat(len)).append('\n');
        }
        Files.writeString(dir.resolve("p.tsv"), tsv);
        ParallelTextProvider p = new ParallelTextProvider();
        long paddedGrouped = 0, paddedPlain = 0;
        for (boolean group : new boolean[] {true, false}) {
            Params params = ParamValidation.validate("data", p.parameters(), Map.of("path", "p.tsv", "group_by_length", group));
            DataSource s = p.open(params, dir, new CodePointTokenizer(), 64);
            SplittableRandom rr = new SplittableRandom(11);
            long padded = 0;
            for (int i = 0; i < 50; i++) {
                Batch b = s.trainBatch(8, 64, rr);
                int[] mask = b.get("attention_mask").data();
                for (int m : mask) if (m == 0) padded++;
            }
            if (group) paddedGrouped = padded; else paddedPlain = padded;
        }
        assertTrue(paddedGrouped * 5 < paddedPlain, "padded source positions: grouped " + paddedGrouped + ", plain " + paddedPlain);
    }
}
