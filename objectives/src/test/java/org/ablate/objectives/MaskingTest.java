package org.ablate.objectives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.ablate.api.Batch;
import org.junit.jupiter.api.Test;

/** The corruption rule of masked LM: proportions, what is never chosen, and determinism under the seed. */
class MaskingTest {
    static final int V = 50, PAD = 0, CLS = 1, SEP = 2, MASK = 3;
    static final Masking BERT = new Masking(0.15, 0.8, 0.1, MASK, V, new int[]{PAD, CLS, SEP, MASK, -1, -1});

    /** Rows of {@code [CLS] tokens [SEP] [PAD]...} with varying lengths; returns ids and the attention mask. */
    static int[][] batch(int rows, int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[rows * len], att = new int[rows * len];
        for (int b = 0; b < rows; b++) {
            int n = 3 + r.nextInt(len - 2); // real tokens including [CLS] and [SEP]
            for (int i = 0; i < len; i++) {
                int at = b * len + i;
                if (i >= n) { ids[at] = PAD; att[at] = 0; continue; }
                att[at] = 1;
                ids[at] = i == 0 ? CLS : i == n - 1 ? SEP : 4 + r.nextInt(V - 4);
            }
        }
        return new int[][]{ids, att};
    }

    /** |observed - n·p| within 5 binomial standard deviations (a two-sided miss of about 6e-7). */
    static void assertBinomial(String what, long observed, long n, double p) {
        double sd = Math.sqrt(n * p * (1 - p));
        double dev = Math.abs(observed - n * p);
        assertTrue(dev <= 5 * sd, what + ": " + observed + " of " + n + ", expected " + n * p + " ± 5·" + sd);
    }

    @Test void proportionsMatchBertWithinBinomialError() {
        long eligible = 0, chosen = 0, masked = 0, kept = 0, replaced = 0;
        for (int rep = 0; rep < 40; rep++) {
            int[][] b = batch(64, 128, 1000 + rep);
            int[] ids = b[0], att = b[1];
            Masking.Masked m = BERT.apply(ids, att, new SplittableRandom(rep));
            for (int i = 0; i < ids.length; i++) {
                boolean canChoose = att[i] == 1 && ids[i] > MASK;
                if (canChoose) eligible++;
                if (m.labels()[i] == Batch.IGNORE) {
                    assertEquals(ids[i], m.inputs()[i], "an unchosen position is never changed");
                    continue;
                }
                assertTrue(canChoose, "position " + i + " (id " + ids[i] + ", mask " + att[i] + ") was chosen but is special or padding");
                assertEquals(ids[i], m.labels()[i], "the label is the original token");
                chosen++;
                if (m.inputs()[i] == MASK) masked++;
                else if (m.inputs()[i] == ids[i]) kept++;
                else replaced++;
            }
        }
        assertTrue(eligible > 100_000, "enough positions for the test: " + eligible);
        assertBinomial("chosen among eligible", chosen, eligible, 0.15);
        // A random replacement draws uniformly over V ids, so it may hit [MASK] or the original token itself.
        assertBinomial("[MASK] among chosen", masked, chosen, 0.8 + 0.1 / V);
        assertBinomial("unchanged among chosen", kept, chosen, 0.1 + 0.1 / V);
        assertBinomial("another token among chosen", replaced, chosen, 0.1 * (V - 2) / V);
        assertEquals(chosen, masked + kept + replaced);
    }

    @Test void specialAndPaddingTokensAreNeverChosenEvenAtProbabilityOne() {
        Masking all = new Masking(1.0, 0.8, 0.1, MASK, V, new int[]{PAD, CLS, SEP, MASK});
        int[][] b = batch(16, 40, 7);
        // A real token hidden behind the attention mask must not be chosen either.
        b[0][5] = 10;
        b[1][5] = 0;
        Masking.Masked m = all.apply(b[0], b[1], new SplittableRandom(3));
        for (int i = 0; i < b[0].length; i++) {
            boolean canChoose = b[1][i] == 1 && b[0][i] > MASK;
            assertEquals(canChoose, m.labels()[i] != Batch.IGNORE, "position " + i);
        }
    }

    @Test void sameSeedSameMasksOtherSeedOtherMasks() {
        int[][] b = batch(8, 64, 11);
        Masking.Masked a = BERT.apply(b[0], b[1], new SplittableRandom(42));
        Masking.Masked again = BERT.apply(b[0], b[1], new SplittableRandom(42));
        Masking.Masked other = BERT.apply(b[0], b[1], new SplittableRandom(43));
        assertArrayEquals(a.inputs(), again.inputs());
        assertArrayEquals(a.labels(), again.labels());
        assertFalse(Arrays.equals(a.labels(), other.labels()), "another seed chooses other positions");
    }
}
