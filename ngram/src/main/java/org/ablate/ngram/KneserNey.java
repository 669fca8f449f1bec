package org.ablate.ngram;

import java.util.Arrays;

/**
 * An interpolated modified Kneser-Ney language model over token ids (Chen and Goodman 1999, section 3.5,
 * "interpolated" with three discounts per order):
 *
 * <pre>
 * p_n(w | h) = max(c_n(hw) - D_n(c_n(hw)), 0) / c_n(h·)  +  γ_n(h) · p_{n-1}(w | h')
 * γ_n(h)     = (D_n1 · N1(h·) + D_n2 · N2(h·) + D_n3+ · N3+(h·)) / c_n(h·)
 * p_0(w)     = 1 / V
 * </pre>
 *
 * where {@code h'} is {@code h} without its first token, {@code c_N} are raw counts at the highest order
 * and {@code c_n} (n &lt; N) continuation counts {@code N1+(· h w)} (the number of distinct tokens seen
 * before {@code hw}), and {@code N_k(h·)} is the number of tokens following {@code h} with count exactly
 * {@code k} (3 meaning 3 or more). A context never seen at order {@code n} ({@code c_n(h·) = 0}) falls
 * through to order {@code n - 1}. Discounts come from each order's count-of-counts {@code n_1..n_4}:
 * {@code Y = n_1 / (n_1 + 2 n_2)}, {@code D_k = k - (k + 1) · Y · n_{k+1} / n_k}; where that is undefined
 * (a zero count-of-count, on tiny corpora) or outside {@code [0, k]}, {@code D_k} is Ney's single
 * discount {@code Y} (0.5 when {@code Y} is undefined too). Every distribution sums to 1 over the
 * vocabulary {@code 0 .. V-1}.
 *
 * <p>The training text is one token stream without sentence marks; an n-gram seen only at the very
 * start of the stream has no left neighbour and so no continuation count. Immutable after training.
 */
public final class KneserNey {
    private final int order;
    private final int vocabSize;
    /** Per order n (index n, 1..N): (context id at n-1, token) to n-gram id. */
    private final LongIntMap[] grams;
    /** Per order: count of each n-gram id (raw at N, continuation below). */
    private final int[][] counts;
    /** Per order n: for each context id at order n-1, the sum of counts and N1, N2, N3+ of its followers. */
    private final long[][] totals;
    private final int[][] n1, n2, n3;
    /** Per order n: D_n1, D_n2, D_n3+. */
    private final double[][] discounts;

    private KneserNey(int order, int vocabSize, LongIntMap[] grams, int[][] counts, double[][] fixedDiscounts) {
        this.order = order;
        this.vocabSize = vocabSize;
        this.grams = grams;
        this.counts = counts;
        totals = new long[order + 1][];
        n1 = new int[order + 1][];
        n2 = new int[order + 1][];
        n3 = new int[order + 1][];
        discounts = new double[order + 1][];
        for (int n = 1; n <= order; n++) {
            int contexts = n == 1 ? 1 : grams[n - 1].size();
            totals[n] = new long[contexts];
            n1[n] = new int[contexts];
            n2[n] = new int[contexts];
            n3[n] = new int[contexts];
            long[] countOfCounts = new long[5];
            LongIntMap m = grams[n];
            for (int slot = 0; slot < m.capacity(); slot++) {
                if (!m.used(slot)) continue;
                int id = m.valueAt(slot), context = (int) (m.keyAt(slot) >>> 32), c = counts[n][id];
                if (c == 0) continue;
                totals[n][context] += c;
                if (c == 1) n1[n][context]++;
                else if (c == 2) n2[n][context]++;
                else n3[n][context]++;
                if (c <= 4) countOfCounts[c]++;
            }
            discounts[n] = fixedDiscounts != null ? fixedDiscounts[n - 1].clone() : chenGoodman(countOfCounts[1], countOfCounts[2],
                    countOfCounts[3], countOfCounts[4]);
        }
    }

    /**
     * Counts every n-gram of {@code tokens} up to {@code order} and estimates the discounts.
     *
     * @param vocabSize the number of ids the model distributes over; every token must be below it
     */
    public static KneserNey train(int[] tokens, int order, int vocabSize) {
        return train(tokens, order, vocabSize, null);
    }

    /** As {@link #train(int[], int, int)} with given discounts {@code [order][3]} (D1, D2, D3+ for n = 1..N). */
    static KneserNey train(int[] tokens, int order, int vocabSize, double[][] fixedDiscounts) {
        if (order < 1) throw new IllegalArgumentException("n-gram: order must be at least 1, got " + order);
        if (vocabSize < 1) throw new IllegalArgumentException("n-gram: the vocabulary is empty");
        if (tokens.length == 0) throw new IllegalArgumentException("n-gram: no training tokens");
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("n-gram: training token " + i + " is id " + tokens[i] + ", outside the vocabulary of " + vocabSize);
            }
        }
        LongIntMap[] grams = new LongIntMap[order + 1];
        int[][] counts = new int[order + 1][];
        for (int n = 1; n <= order; n++) {
            grams[n] = new LongIntMap(1024);
            counts[n] = new int[1024];
        }
        // Right to left, so that the n-gram after position i (the suffix of each gram at i) already has its id.
        int[] next = new int[order + 1], here = new int[order + 1];
        for (int i = tokens.length - 1; i >= 0; i--) {
            int prefix = 0;
            for (int m = 1; m <= order && i + m <= tokens.length; m++) {
                LongIntMap map = grams[m];
                long key = key(prefix, tokens[i + m - 1]);
                int id = map.get(key);
                if (id < 0) {
                    id = map.size();
                    map.put(key, id);
                    if (id >= counts[m].length) counts[m] = Arrays.copyOf(counts[m], counts[m].length * 2);
                    // A new m-gram type adds one distinct left neighbour to its suffix (m-1)-gram, which starts at i + 1.
                    if (m >= 2) counts[m - 1][next[m - 1]]++;
                }
                if (m == order) counts[m][id]++;
                here[m] = id;
                prefix = id;
            }
            int[] t = next;
            next = here;
            here = t;
        }
        return new KneserNey(order, vocabSize, grams, counts, fixedDiscounts);
    }

    /** Chen and Goodman's D1, D2, D3+ from the count-of-counts n1..n4, with Ney's single discount where undefined. */
    static double[] chenGoodman(long c1, long c2, long c3, long c4) {
        double y = c1 + 2 * c2 > 0 ? (double) c1 / (c1 + 2 * c2) : 0.5;
        long[] nk = {0, c1, c2, c3, c4};
        double[] d = new double[3];
        for (int k = 1; k <= 3; k++) {
            double v = k - (k + 1) * y * nk[k + 1] / (double) nk[k];
            d[k - 1] = Double.isFinite(v) && v >= 0 && v <= k ? v : y;
        }
        return d;
    }

    public int order() { return order; }

    public int vocabSize() { return vocabSize; }

    /** D1, D2, D3+ of order {@code n} (1..N). */
    public double[] discounts(int n) { return discounts[n].clone(); }

    /**
     * The probability of {@code token} after {@code history[from, to)}; only the last {@code order - 1}
     * tokens of the history are read.
     */
    public double probability(int[] history, int from, int to, int token) {
        if (token < 0 || token >= vocabSize) throw new IllegalArgumentException("n-gram: id " + token + " is outside the vocabulary of " + vocabSize);
        int start = Math.max(from, to - (order - 1));
        return probability(history, start, to, token, to - start + 1);
    }

    /** {@link #probability(int[], int, int, int)} over a whole history array. */
    public double probability(int[] history, int token) { return probability(history, 0, history.length, token); }

    /** The distribution over the vocabulary after {@code history} (sums to 1). */
    public double[] distribution(int[] history) {
        double[] p = new double[vocabSize];
        for (int w = 0; w < vocabSize; w++) p[w] = probability(history, w);
        return p;
    }

    /** p_n(w | history[start, to)), where to - start = n - 1. */
    private double probability(int[] h, int start, int to, int w, int n) {
        if (n == 0) return 1.0 / vocabSize;
        double lower = probability(h, start + (n == 1 ? 0 : 1), to, w, n - 1);
        int context = n == 1 ? 0 : id(h, start, to);
        if (context < 0) return lower;
        long total = totals[n][context];
        if (total == 0) return lower;
        int id = grams[n].get(key(context, w));
        int c = id < 0 ? 0 : counts[n][id];
        double[] d = discounts[n];
        double discounted = c == 0 ? 0 : Math.max(c - d[Math.min(c, 3) - 1], 0);
        double gamma = (d[0] * n1[n][context] + d[1] * n2[n][context] + d[2] * n3[n][context]) / total;
        return discounted / total + gamma * lower;
    }

    /** The id of the gram {@code h[start, to)} at its order, or -1 when it never occurred. */
    private int id(int[] h, int start, int to) {
        int id = 0;
        for (int i = start; i < to; i++) {
            id = grams[i - start + 1].get(key(id, h[i]));
            if (id < 0) return -1;
        }
        return id;
    }

    /**
     * The summed negative natural log-probability of {@code tokens[from, to)}, each token conditioned on
     * the tokens before it, but none before {@code floor} (e.g. a window's start).
     */
    public double negativeLogLikelihood(int[] tokens, int floor, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum -= Math.log(probability(tokens, floor, i, tokens[i]));
        return sum;
    }

    private static long key(int context, int token) { return ((long) context << 32) | (token & 0xFFFFFFFFL); }

    /** Open addressing from long keys to non-negative int values; -1 for absent. */
    static final class LongIntMap {
        private long[] keys;
        private int[] values;
        private boolean[] used;
        private int size;

        LongIntMap(int capacity) {
            int c = Integer.highestOneBit(Math.max(16, capacity) - 1) << 1;
            keys = new long[c];
            values = new int[c];
            used = new boolean[c];
        }

        int size() { return size; }

        int capacity() { return keys.length; }

        boolean used(int slot) { return used[slot]; }

        long keyAt(int slot) { return keys[slot]; }

        int valueAt(int slot) { return values[slot]; }

        private static int mix(long k) {
            k ^= k >>> 33;
            k *= 0xff51afd7ed558ccdL;
            k ^= k >>> 33;
            return (int) k;
        }

        int get(long k) {
            int mask = keys.length - 1;
            for (int s = mix(k) & mask; used[s]; s = (s + 1) & mask) if (keys[s] == k) return values[s];
            return -1;
        }

        void put(long k, int v) {
            if ((size + 1) * 2 > keys.length) grow();
            int mask = keys.length - 1;
            int s = mix(k) & mask;
            while (used[s] && keys[s] != k) s = (s + 1) & mask;
            if (!used[s]) size++;
            used[s] = true;
            keys[s] = k;
            values[s] = v;
        }

        private void grow() {
            long[] ok = keys;
            int[] ov = values;
            boolean[] ou = used;
            keys = new long[ok.length * 2];
            values = new int[ok.length * 2];
            used = new boolean[ok.length * 2];
            size = 0;
            for (int i = 0; i < ok.length; i++) if (ou[i]) put(ok[i], ov[i]);
        }
    }
}
