package org.ablate.ngram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Interpolated modified Kneser-Ney against probabilities worked out by hand, and its normalisation. */
class KneserNeyTest {
    private static final double[][] HALF = {{0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}};

    /*
     * The corpus "a b a b c" as ids 0 1 0 1 2, vocabulary of 4 (id 3 never seen), order 2, every discount 0.5.
     * Bigram counts: ab 2, ba 1, bc 1. Continuation counts N1+(.w): a 1 (after b), b 1 (after a), c 1 (after b); total 3.
     *   p1(w)    = max(N1+(.w) - 0.5, 0)/3 + (0.5*3/3) * 1/4  ->  a, b, c: 1/6 + 1/8 = 7/24;  unseen d: 1/8 = 3/24
     *   p2(.|a)  : c(a.) = 2, N2(a.) = 1, gamma = 0.5*1/2 = 1/4  ->  b: 1.5/2 + 7/96 = 79/96;  a, c: 7/96;  d: 3/96
     *   p2(.|b)  : c(b.) = 2, N1(b.) = 2, gamma = 0.5*2/2 = 1/2  ->  a, c: 0.5/2 + 7/48 = 19/48;  b: 7/48;  d: 3/48
     *   p2(.|c)  : c never precedes anything, so p1
     */
    @Test void probabilitiesOfATinyCorpusWorkedOutByHand() {
        KneserNey lm = KneserNey.train(new int[] {0, 1, 0, 1, 2}, 2, 4, HALF);
        assertArrayEquals(new double[] {7 / 24.0, 7 / 24.0, 7 / 24.0, 3 / 24.0}, lm.distribution(new int[0]), 1e-15);
        assertArrayEquals(new double[] {7 / 96.0, 79 / 96.0, 7 / 96.0, 3 / 96.0}, lm.distribution(new int[] {0}), 1e-15);
        assertArrayEquals(new double[] {19 / 48.0, 7 / 48.0, 19 / 48.0, 3 / 48.0}, lm.distribution(new int[] {1}), 1e-15);
        assertArrayEquals(new double[] {7 / 24.0, 7 / 24.0, 7 / 24.0, 3 / 24.0}, lm.distribution(new int[] {2}), 1e-15);
        // Only the last order-1 tokens count: "c a" conditions like "a".
        assertEquals(79 / 96.0, lm.probability(new int[] {2, 0}, 1), 1e-15);
        // "a b c" scored from its start: p1(a) p2(b|a) p2(c|b).
        assertEquals(-Math.log(7 / 24.0 * 79 / 96.0 * 19 / 48.0), lm.negativeLogLikelihood(new int[] {0, 1, 2}, 0, 0, 3), 1e-12);
        // A floor cuts the history: b scored with no context at all.
        assertEquals(-Math.log(7 / 24.0), lm.negativeLogLikelihood(new int[] {0, 1}, 1, 1, 2), 1e-12);
    }

    /*
     * Trigram "a b c a b d" (0 1 2 0 1 3), V = 4, discounts 0.5: raw trigram counts abc 1, bca 1, cab 1, abd 1;
     * bigram continuations: bc 1, ca 1, ab 1 (after c; the first ab has no left neighbour), bd 1; unigram
     * continuations over bigram types ab, bc, ca, bd: b 1, c 1, a 1, d 1, total 4.
     *   p1(w)      = 0.5/4 + (0.5*4/4)/4 = 1/4 for every w
     *   p2(c|b)    = 0.5/2 + (0.5*2/2) * 1/4 = 3/8   (b is followed by c and d, continuation 1 each)
     *   p3(c|a b)  = 0.5/2 + (0.5*2/2) * 3/8 = 7/16
     */
    @Test void trigramWorkedOutByHand() {
        double[][] half = {{0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}};
        KneserNey lm = KneserNey.train(new int[] {0, 1, 2, 0, 1, 3}, 3, 4, half);
        assertEquals(0.25, lm.probability(new int[0], 2), 1e-15);
        assertEquals(3 / 8.0, lm.probability(new int[] {1}, 2), 1e-15);
        assertEquals(7 / 16.0, lm.probability(new int[] {0, 1}, 2), 1e-15);
        assertEquals(7 / 16.0, lm.probability(new int[] {0, 1}, 3), 1e-15);
        assertEquals(1 / 16.0, lm.probability(new int[] {0, 1}, 0), 1e-15); // a never follows "a b": gamma(ab) p2(a|b) = 0.5 * (0 + 0.5 * 1/4)
    }

    @Test void chenGoodmanDiscountsFromCountOfCounts() {
        // n1..n4 = 10, 4, 2, 1: Y = 10/18; D1 = 1 - 2Y*4/10 = 5/9, D2 = 2 - 3Y*2/4 = 7/6, D3+ = 3 - 4Y*1/2 = 17/9.
        assertArrayEquals(new double[] {5 / 9.0, 7 / 6.0, 17 / 9.0}, KneserNey.chenGoodman(10, 4, 2, 1), 1e-15);
        // No count of 3 (n3 = 0): D2's and D3+'s formulas are undefined or out of range, Ney's Y = 10/18 stands in.
        double[] d = KneserNey.chenGoodman(10, 4, 0, 0);
        assertEquals(10 / 18.0, d[2], 1e-15);
        assertEquals(2.0, d[1], 1e-15); // 2 - 3Y*0/4 = 2 is in range
    }

    @Test void everyDistributionSumsToOne() {
        // A random corpus with skewed frequencies, estimated discounts; every context the test can form sums to 1.
        SplittableRandom r = new SplittableRandom(3);
        int v = 12;
        int[] tokens = new int[4000];
        for (int i = 0; i < tokens.length; i++) tokens[i] = Math.min(v - 2, (int) Math.floor(-Math.log(1 - r.nextDouble()) * 2.5));
        KneserNey lm = KneserNey.train(tokens, 4, v);
        int contexts = 0;
        for (int len = 0; len <= 3; len++) {
            for (int trial = 0; trial < 150; trial++) {
                int[] h = new int[len];
                if (trial % 3 == 0 && len > 0) {
                    int at = r.nextInt(tokens.length - len); // a context seen in training
                    System.arraycopy(tokens, at, h, 0, len);
                } else {
                    for (int i = 0; i < len; i++) h[i] = r.nextInt(v); // often never seen, includes the unseen id v-1
                }
                double sum = 0;
                for (double p : lm.distribution(h)) {
                    assertTrue(p > 0, "a zero probability after " + java.util.Arrays.toString(h));
                    sum += p;
                }
                assertEquals(1.0, sum, 1e-12, "after " + java.util.Arrays.toString(h));
                contexts++;
            }
        }
        assertEquals(600, contexts);
        for (int n = 1; n <= 4; n++) {
            double[] d = lm.discounts(n);
            for (int k = 0; k < 3; k++) assertTrue(d[k] > 0 && d[k] <= k + 1, "D" + n + "," + (k + 1) + " = " + d[k]);
        }
    }

    /**
     * The definition written out directly (n-grams as lists, continuation counts from the set of (n+1)-gram
     * types, count-of-counts, recursion), with none of the model's id tables, on a random corpus.
     */
    @Test void agreesWithAStraightforwardImplementationOfTheDefinition() {
        SplittableRandom r = new SplittableRandom(11);
        int v = 7, order = 4;
        int[] tokens = new int[3000];
        for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(4) == 0 ? r.nextInt(v - 1) : (i > 0 ? (tokens[i - 1] + 1) % (v - 1) : 0);
        KneserNey lm = KneserNey.train(tokens, order, v);
        java.util.List<Integer> all = java.util.Arrays.stream(tokens).boxed().toList();
        java.util.Map<Integer, java.util.Map<java.util.List<Integer>, Integer>> counts = new java.util.HashMap<>();
        for (int n = 1; n <= order; n++) {
            java.util.Map<java.util.List<Integer>, Integer> c = new java.util.HashMap<>();
            if (n == order) {
                for (int i = 0; i + n <= tokens.length; i++) c.merge(all.subList(i, i + n), 1, Integer::sum);
            } else {
                java.util.Set<java.util.List<Integer>> types = new java.util.HashSet<>();
                for (int i = 0; i + n + 1 <= tokens.length; i++) types.add(all.subList(i, i + n + 1));
                for (var g : types) c.merge(g.subList(1, g.size()), 1, Integer::sum);
            }
            counts.put(n, c);
        }
        for (int n = 1; n <= order; n++) {
            long[] cc = new long[5];
            for (int c : counts.get(n).values()) if (c <= 4) cc[c]++;
            assertArrayEquals(KneserNey.chenGoodman(cc[1], cc[2], cc[3], cc[4]), lm.discounts(n), 0.0, "order " + n);
        }
        for (int trial = 0; trial < 300; trial++) {
            int len = r.nextInt(order);
            int at = r.nextInt(tokens.length - len);
            java.util.List<Integer> h = trial % 2 == 0 ? all.subList(at, at + len)
                    : java.util.stream.IntStream.range(0, len).mapToObj(i -> r.nextInt(v)).toList();
            int w = r.nextInt(v);
            double expected = definition(counts, lm, h, w, h.size() + 1, v);
            assertEquals(expected, lm.probability(h.stream().mapToInt(Integer::intValue).toArray(), w), 1e-14, h + " then " + w);
        }
    }

    private static double definition(java.util.Map<Integer, java.util.Map<java.util.List<Integer>, Integer>> counts, KneserNey lm,
                                     java.util.List<Integer> h, int w, int n, int v) {
        if (n == 0) return 1.0 / v;
        double lower = definition(counts, lm, n == 1 ? h : h.subList(1, h.size()), w, n - 1, v);
        long total = 0;
        int[] followers = new int[4];
        for (var e : counts.get(n).entrySet()) {
            if (!e.getKey().subList(0, n - 1).equals(h)) continue;
            total += e.getValue();
            followers[Math.min(e.getValue(), 3)]++;
        }
        if (total == 0) return lower;
        java.util.List<Integer> hw = new java.util.ArrayList<>(h);
        hw.add(w);
        int c = counts.get(n).getOrDefault(hw, 0);
        double[] d = lm.discounts(n);
        double gamma = (d[0] * followers[1] + d[1] * followers[2] + d[2] * followers[3]) / total;
        return (c == 0 ? 0 : Math.max(c - d[Math.min(c, 3) - 1], 0)) / total + gamma * lower;
    }

    @Test void moreContextHelpsOnAPredictableStream() {
        // A repeating pattern is almost certain at order 3, not at order 1.
        int[] tokens = new int[600];
        int[] pattern = {0, 1, 2, 0, 2, 1};
        for (int i = 0; i < tokens.length; i++) tokens[i] = pattern[i % pattern.length];
        double uni = KneserNey.train(tokens, 1, 3).negativeLogLikelihood(tokens, 0, 2, 60);
        double tri = KneserNey.train(tokens, 3, 3).negativeLogLikelihood(tokens, 0, 2, 60);
        assertTrue(tri < uni / 5, "order 3 " + tri + " vs order 1 " + uni);
    }

    @Test void badInputIsRefused() {
        assertEquals("n-gram: training token 1 is id 7, outside the vocabulary of 4",
                assertThrows(IllegalArgumentException.class, () -> KneserNey.train(new int[] {0, 7}, 2, 4)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> KneserNey.train(new int[] {0}, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> KneserNey.train(new int[] {0}, 2, 4).probability(new int[0], 4));
    }
}
