package org.ablate.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ablate.api.ConformanceCase;
import org.ablate.api.ConformanceKind;

/**
 * Conformance cases of kind {@code metric}: {@code params.metric = "bleu"} (with {@code max_order}) over the
 * folder's {@code cases.json} ({@code [{hypothesis: [tokens], references: [[tokens], ...]}]}), compared
 * with {@code expected}: the score, precisions and brevity penalty within the case's tolerance, the
 * match and total counts and the lengths exactly.
 */
public final class MetricConformance implements ConformanceKind {
    @Override public String kind() { return "metric"; }

    @Override public void check(ConformanceCase c) throws Exception {
        String metric = c.param("metric", "");
        if (!metric.equals("bleu")) {
            throw new IllegalArgumentException(c.folder().resolve("case.json") + ": params.metric is \"" + metric + "\"; known: bleu");
        }
        int maxOrder = (int) c.param("max_order", 4);
        List<List<String>> hyps = new ArrayList<>();
        List<List<List<String>>> refs = new ArrayList<>();
        String file = c.folder().resolve("cases.json").toString();
        if (!(c.readJson("cases.json") instanceof List<?> rows)) throw new IllegalArgumentException(file + ": expected a JSON array of cases");
        for (int i = 0; i < rows.size(); i++) {
            if (!(rows.get(i) instanceof Map<?, ?> row)) throw new IllegalArgumentException(file + ": [" + i + "] is not an object");
            hyps.add(tokens(row.get("hypothesis"), file + ": [" + i + "].hypothesis"));
            if (!(row.get("references") instanceof List<?> rs) || rs.isEmpty()) {
                throw new IllegalArgumentException(file + ": [" + i + "].references must be a non-empty array of token arrays");
            }
            List<List<String>> set = new ArrayList<>();
            for (int j = 0; j < rs.size(); j++) set.add(tokens(rs.get(j), file + ": [" + i + "].references[" + j + "]"));
            refs.add(set);
        }
        Bleu.Result r = Bleu.corpus(hyps, refs, maxOrder);
        if (!(c.json().get("expected") instanceof Map<?, ?> expected)) {
            throw new IllegalArgumentException(c.folder().resolve("case.json") + ": no \"expected\" object");
        }
        c.close("bleu", number(expected, "bleu", c), r.bleu());
        c.close("brevity_penalty", number(expected, "brevity_penalty", c), r.brevityPenalty());
        c.exact("hyp_len", (long) number(expected, "hyp_len", c), r.hypLength());
        c.exact("ref_len", (long) number(expected, "ref_len", c), r.refLength());
        List<?> precisions = list(expected, "precisions", maxOrder, c), matches = list(expected, "matches", maxOrder, c),
                totals = list(expected, "totals", maxOrder, c);
        for (int n = 0; n < maxOrder; n++) {
            c.close("precisions[" + n + "]", ((Number) precisions.get(n)).doubleValue(), r.precisions()[n]);
            c.exact("matches[" + n + "]", ((Number) matches.get(n)).longValue(), r.matches()[n]);
            c.exact("totals[" + n + "]", ((Number) totals.get(n)).longValue(), r.totals()[n]);
        }
    }

    private static List<String> tokens(Object o, String where) {
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException(where + " must be an array of token strings");
        List<String> out = new ArrayList<>(l.size());
        for (Object t : l) {
            if (!(t instanceof String s)) throw new IllegalArgumentException(where + " holds " + t + ", expected token strings");
            out.add(s);
        }
        return out;
    }

    private static double number(Map<?, ?> expected, String key, ConformanceCase c) {
        if (!(expected.get(key) instanceof Number n)) {
            throw new IllegalArgumentException(c.folder().resolve("case.json") + ": expected." + key + " is missing or not a number");
        }
        return n.doubleValue();
    }

    private static List<?> list(Map<?, ?> expected, String key, int size, ConformanceCase c) {
        if (!(expected.get(key) instanceof List<?> l) || l.size() != size || !l.stream().allMatch(x -> x instanceof Number)) {
            throw new IllegalArgumentException(c.folder().resolve("case.json") + ": expected." + key + " must be " + size + " numbers (max_order)");
        }
        return l;
    }
}
