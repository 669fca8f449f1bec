package org.ablate.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU (Papineni et al. 2002) on already tokenized text, without smoothing: for n = 1..N the
 * clipped n-gram matches (each hypothesis n-gram counted at most as often as in the reference that has
 * it most) and the hypothesis n-gram totals are summed over the corpus, {@code p_n = matches / totals};
 * the brevity penalty is {@code 1} when the hypotheses are longer than the effective reference length
 * {@code r}, else {@code exp(1 - r / c)}, where {@code r} sums, per sentence, the reference length
 * closest to the hypothesis length (the shorter on ties); BLEU is {@code BP · exp(mean log p_n)}, and
 * 0 when any {@code p_n} is 0. This is NLTK's {@code corpus_bleu} and sacreBLEU with
 * {@code tokenize='none'} and {@code smooth_method='none'}; the one place they differ, a hypothesis
 * shorter than n (NLTK then adds 1 to the n-gram total), follows sacreBLEU: totals are true counts.
 */
public final class Bleu {
    private Bleu() {}

    /**
     * The corpus statistics and the score.
     *
     * @param bleu           the score in [0, 1]
     * @param precisions     {@code p_n} for n = 1..N (0 where the total is 0)
     * @param matches        clipped n-gram matches per order
     * @param totals         hypothesis n-grams per order
     * @param brevityPenalty BP
     * @param hypLength      total hypothesis length {@code c}
     * @param refLength      effective reference length {@code r}
     */
    public record Result(double bleu, double[] precisions, long[] matches, long[] totals, double brevityPenalty,
                         long hypLength, long refLength) {
        public Result {
            precisions = precisions.clone();
            matches = matches.clone();
            totals = totals.clone();
        }

        @Override public double[] precisions() { return precisions.clone(); }

        @Override public long[] matches() { return matches.clone(); }

        @Override public long[] totals() { return totals.clone(); }

        /** BLEU on the 0-100 scale sacreBLEU prints. */
        public double score() { return 100 * bleu; }

        @Override public String toString() {
            return String.format(java.util.Locale.ROOT, "BLEU %.2f (p %s, BP %.4f, hyp %d, ref %d)", score(),
                    Arrays.toString(Arrays.stream(precisions).map(p -> Math.round(p * 1e4) / 1e4).toArray()), brevityPenalty,
                    hypLength, refLength);
        }
    }

    /** Corpus BLEU-4 of one reference per hypothesis. */
    public static Result corpusSingle(List<? extends List<String>> hypotheses, List<? extends List<String>> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException("bleu: " + hypotheses.size() + " hypotheses but " + references.size() + " references");
        }
        List<List<? extends List<String>>> refs = new ArrayList<>(references.size());
        for (List<String> r : references) refs.add(List.of(r));
        return corpus(hypotheses, refs, 4);
    }

    /**
     * Corpus BLEU.
     *
     * @param hypotheses one token list per sentence
     * @param references per sentence, one or more reference token lists
     * @param maxOrder   N, the longest n-gram (4 for BLEU-4)
     */
    public static Result corpus(List<? extends List<String>> hypotheses, List<? extends List<? extends List<String>>> references,
                                int maxOrder) {
        if (maxOrder < 1) throw new IllegalArgumentException("bleu: max_order must be at least 1, got " + maxOrder);
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException("bleu: " + hypotheses.size() + " hypotheses but " + references.size() + " reference sets");
        }
        long[] matches = new long[maxOrder], totals = new long[maxOrder];
        long hypLength = 0, refLength = 0;
        for (int s = 0; s < hypotheses.size(); s++) {
            List<String> hyp = hypotheses.get(s);
            List<? extends List<String>> refs = references.get(s);
            if (refs.isEmpty()) throw new IllegalArgumentException("bleu: sentence " + s + " has no reference");
            hypLength += hyp.size();
            refLength += closestLength(refs, hyp.size());
            for (int n = 1; n <= maxOrder; n++) {
                Map<List<String>, Integer> counts = ngrams(hyp, n);
                Map<List<String>, Integer> maxRef = new HashMap<>();
                for (List<String> r : refs) ngrams(r, n).forEach((g, c) -> maxRef.merge(g, c, Math::max));
                for (var e : counts.entrySet()) {
                    totals[n - 1] += e.getValue();
                    matches[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
                }
            }
        }
        double[] precisions = new double[maxOrder];
        double logSum = 0;
        boolean zero = false;
        for (int n = 0; n < maxOrder; n++) {
            precisions[n] = totals[n] == 0 ? 0 : (double) matches[n] / totals[n];
            if (matches[n] == 0) zero = true;
            else logSum += Math.log(precisions[n]);
        }
        double bp = hypLength == 0 ? 0 : hypLength > refLength ? 1 : Math.exp(1 - (double) refLength / hypLength);
        double bleu = zero ? 0 : bp * Math.exp(logSum / maxOrder);
        return new Result(bleu, precisions, matches, totals, bp, hypLength, refLength);
    }

    /** The reference length closest to {@code hypLength}, the shorter one on ties. */
    static int closestLength(List<? extends List<String>> refs, int hypLength) {
        int best = -1;
        for (List<String> r : refs) {
            int len = r.size();
            if (best < 0 || Math.abs(len - hypLength) < Math.abs(best - hypLength)
                    || (Math.abs(len - hypLength) == Math.abs(best - hypLength) && len < best)) {
                best = len;
            }
        }
        return best;
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) out.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        return out;
    }

    private static final java.util.regex.Pattern[] RULES_13A = {
            java.util.regex.Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])"),
            java.util.regex.Pattern.compile("([^0-9])([\\.,])"),
            java.util.regex.Pattern.compile("([\\.,])([^0-9])"),
            java.util.regex.Pattern.compile("([0-9])(-)")};
    private static final String[] REPLACEMENTS_13A = {" $1 ", "$1 $2 ", " $1 $2", "$1 $2 "};

    /**
     * sacreBLEU's default {@code 13a} tokenization (mteval-v13a): punctuation and symbols become tokens of
     * their own, periods and commas unless between digits, a dash after a digit; then whitespace splitting.
     */
    public static List<String> tokens13a(String text) {
        String line = text.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0) line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        line = " " + line + " ";
        for (int i = 0; i < RULES_13A.length; i++) line = RULES_13A[i].matcher(line).replaceAll(REPLACEMENTS_13A[i]);
        return whitespaceTokens(line);
    }

    /** Splits on runs of whitespace, as sacreBLEU's {@code tokenize='none'} expects its input to be split. */
    public static List<String> whitespaceTokens(String text) {
        String t = text.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }
}
