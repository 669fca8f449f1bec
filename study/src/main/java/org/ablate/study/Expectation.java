package org.ablate.study;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A claim a study checks, as a paper states it: {@code left.metric < right.metric} (or {@code >}), e.g.
 * {@code pre-ln.loss < post-ln.loss}, or one arm on two metrics, e.g. {@code alibi.loss@4x < alibi.loss@1x}. It is judged on the paired difference over seeds: it agrees when the
 * 95 % interval of the mean difference lies wholly on the claimed side of 0, disagrees when it lies wholly on
 * the other side, and is inconclusive when it spans 0.
 */
public record Expectation(String text, String leftArm, String leftMetric, boolean less, String rightArm, String rightMetric) {
    private static final Pattern FORM = Pattern.compile("\\s*(\\S+)\\.([a-z_]+(?:@[0-9]+x?)?)\\s*([<>])\\s*(\\S+)\\.([a-z_]+(?:@[0-9]+x?)?)\\s*");

    /** The verdicts. */
    public enum Verdict {
        AGREES, DISAGREES, INCONCLUSIVE;

        @Override public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** Parses one line; {@code null} when it does not have the form {@code ARM.METRIC < ARM.METRIC}. */
    public static Expectation parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) return null;
        return new Expectation(text.trim(), m.group(1), m.group(2), m.group(3).equals("<"), m.group(4), m.group(5));
    }

    /** The verdict from the 95 % interval [lo, hi] of the mean of left − right; inconclusive without an interval. */
    public Verdict judge(double lo, double hi) {
        if (!(lo <= hi)) return Verdict.INCONCLUSIVE;
        if (hi < 0) return less ? Verdict.AGREES : Verdict.DISAGREES;
        if (lo > 0) return less ? Verdict.DISAGREES : Verdict.AGREES;
        return Verdict.INCONCLUSIVE;
    }
}
