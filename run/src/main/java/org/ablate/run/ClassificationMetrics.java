package org.ablate.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy and F1 from gold and predicted class ids, as scikit-learn computes them: per class,
 * precision = tp / (tp + fp) and recall = tp / (tp + fn), each 0 when its denominator is 0, and
 * F1 = 2pr / (p + r) (0 when both are 0); macro-F1 is the unweighted mean over the classes that occur
 * among the gold or the predicted labels ({@code f1_score(average="macro")} without {@code labels=}).
 *
 * @param classes number of class ids
 * @param confusion {@code confusion[gold][predicted]} counts
 */
public record ClassificationMetrics(int classes, long[][] confusion) {
    public static ClassificationMetrics of(int[] gold, int[] predicted, int classes) {
        if (gold.length != predicted.length) throw new IllegalArgumentException("metrics: " + gold.length + " gold labels, " + predicted.length + " predictions");
        long[][] c = new long[classes][classes];
        for (int i = 0; i < gold.length; i++) c[gold[i]][predicted[i]]++;
        return new ClassificationMetrics(classes, c);
    }

    public long total() {
        long n = 0;
        for (long[] row : confusion) for (long v : row) n += v;
        return n;
    }

    public double accuracy() {
        long right = 0;
        for (int k = 0; k < classes; k++) right += confusion[k][k];
        return total() == 0 ? 0 : right / (double) total();
    }

    long support(int k) {
        long n = 0;
        for (long v : confusion[k]) n += v;
        return n;
    }

    long predicted(int k) {
        long n = 0;
        for (long[] row : confusion) n += row[k];
        return n;
    }

    public double precision(int k) { return predicted(k) == 0 ? 0 : confusion[k][k] / (double) predicted(k); }

    public double recall(int k) { return support(k) == 0 ? 0 : confusion[k][k] / (double) support(k); }

    public double f1(int k) {
        double p = precision(k), r = recall(k);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroF1() {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < classes; k++) {
            if (support(k) == 0 && predicted(k) == 0) continue;
            sum += f1(k);
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    /** Precision, recall, F1 and support per class, keyed by {@code names} (or the class id when names are missing). */
    public Map<String, Map<String, Object>> perClass(List<String> names) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (int k = 0; k < classes; k++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("precision", precision(k));
            m.put("recall", recall(k));
            m.put("f1", f1(k));
            m.put("support", support(k));
            out.put(names != null && k < names.size() ? names.get(k) : Integer.toString(k), m);
        }
        return out;
    }

    /** The most frequent gold class (the lowest id on ties). */
    public int majorityClass() {
        int best = 0;
        for (int k = 1; k < classes; k++) if (support(k) > support(best)) best = k;
        return best;
    }

    /** The metrics of always predicting {@code k} on the same gold labels. */
    public ClassificationMetrics constant(int k) {
        long[][] c = new long[classes][classes];
        for (int g = 0; g < classes; g++) c[g][k] = support(g);
        return new ClassificationMetrics(classes, c);
    }

    static List<String> names(String commaSeparated) {
        List<String> out = new ArrayList<>();
        if (commaSeparated == null) return out;
        for (String s : commaSeparated.split(",")) out.add(s.strip());
        return out;
    }
}
