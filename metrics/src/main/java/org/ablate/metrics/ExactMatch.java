package org.ablate.metrics;

import java.util.List;

/** The share of hypotheses equal, token for token, to one of their references (SQuAD's and T5's exact match, without normalisation). */
public final class ExactMatch {
    private ExactMatch() {}

    /**
     * @param hypotheses one token list per sentence
     * @param references per sentence, one or more reference token lists
     * @return matched / sentences, or NaN for an empty corpus
     */
    public static double corpus(List<? extends List<String>> hypotheses, List<? extends List<? extends List<String>>> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException("exact match: " + hypotheses.size() + " hypotheses but " + references.size() + " reference sets");
        }
        if (hypotheses.isEmpty()) return Double.NaN;
        int hits = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            for (List<String> r : references.get(i)) {
                if (r.equals(hypotheses.get(i))) { hits++; break; }
            }
        }
        return (double) hits / hypotheses.size();
    }
}
