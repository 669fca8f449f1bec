package org.ablate.samplers;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.ablate.tensor.Tensor;

/** Row-wise arithmetic on logits {@code [N, V]} held as plain arrays; filtered tokens become {@code -inf}. */
final class Rows {
    private Rows() {}

    static float[][] read(String who, Tensor logits) {
        if (logits.dim() != 2) {
            throw new IllegalArgumentException(who + ": logits must be [N, V], got " + Arrays.toString(logits.shape()));
        }
        int n = logits.size(0), v = logits.size(1);
        float[] flat = logits.toArray();
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
        return rows;
    }

    static Tensor write(float[][] rows) {
        int n = rows.length, v = n == 0 ? 0 : rows[0].length;
        float[] flat = new float[n * v];
        for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, flat, i * v, v);
        return Tensor.of(flat, n, v);
    }

    /** Index of the largest value; ties go to the lowest index; NaN never wins. */
    static int argmax(float[] row) {
        int best = -1;
        for (int j = 0; j < row.length; j++) {
            if (Float.isNaN(row[j])) continue;
            if (best < 0 || row[j] > row[best]) best = j;
        }
        if (best < 0) throw new IllegalArgumentException("argmax: every logit is NaN");
        return best;
    }

    /** Softmax in double, {@code -inf} giving 0. */
    static double[] softmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : row) if (x > max) max = x;
        double[] p = new double[row.length];
        if (max == Double.NEGATIVE_INFINITY) throw new IllegalArgumentException("softmax: every token was filtered out");
        double sum = 0;
        for (int j = 0; j < row.length; j++) {
            p[j] = row[j] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(row[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < p.length; j++) p[j] /= sum;
        return p;
    }

    /** log-softmax in double. */
    static double[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : row) if (x > max) max = x;
        if (max == Double.NEGATIVE_INFINITY) throw new IllegalArgumentException("log-softmax: every score is -inf");
        double sum = 0;
        for (float x : row) sum += Math.exp(x - max);
        double lse = max + Math.log(sum);
        double[] out = new double[row.length];
        for (int j = 0; j < row.length; j++) out[j] = row[j] - lse;
        return out;
    }

    /** Draws an index with the probabilities of {@code softmax(row)}. */
    static int draw(float[] row, RandomGenerator random) {
        double[] p = softmax(row);
        double u = random.nextDouble();
        double cum = 0;
        int last = -1;
        for (int j = 0; j < p.length; j++) {
            if (p[j] == 0) continue;
            cum += p[j];
            last = j;
            if (u < cum) return j;
        }
        return last; // rounding left u just above the total
    }

    /** Indices sorted by value ascending; equal values keep index order. */
    static Integer[] ascending(float[] row) {
        Integer[] idx = new Integer[row.length];
        for (int j = 0; j < idx.length; j++) idx[j] = j;
        Arrays.sort(idx, (a, b) -> Float.compare(row[a], row[b]));
        return idx;
    }
}
