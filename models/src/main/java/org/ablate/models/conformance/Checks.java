package org.ablate.models.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/** Collects the comparisons of one case: the worst error ratio, and every failure by name. */
final class Checks {
    private final double atol;
    private final double rtol;
    double worst;
    final List<String> failures = new ArrayList<>();
    final List<String> compared = new ArrayList<>();

    Checks(double atol, double rtol) {
        this.atol = atol;
        this.rtol = rtol;
    }

    /** Elementwise comparison; {@code rowMask} {@code [B, L]} (or null) restricts {@code [B, L, ...]} tensors to positions with mask 1. */
    void close(String what, Tensor expected, Tensor actual, IntTensor rowMask) {
        compared.add(what);
        if (actual == null) { failures.add(what + ": not computed"); worst = Double.POSITIVE_INFINITY; return; }
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            failures.add(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
            worst = Double.POSITIVE_INFINITY;
            return;
        }
        float[] e = expected.contiguous().toArray(), a = actual.contiguous().toArray();
        int per = rowMask == null ? e.length : e.length / rowMask.numel();
        double w = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            if (rowMask != null && rowMask.data()[i / per] == 0) continue;
            double ratio = Math.abs(a[i] - e[i]) / (atol + rtol * Math.abs(e[i]));
            if (Double.isNaN(a[i])) ratio = Double.POSITIVE_INFINITY;
            if (ratio > w) { w = ratio; at = i; }
        }
        worst = Math.max(worst, w);
        if (w > 1) failures.add(what + ": element " + at + " is " + a[at] + ", expected " + e[at] + " (error " + fmt(w) + "× tolerance)");
    }

    /** One number within tolerance. */
    void close(String what, double expected, double actual) {
        compared.add(what);
        double ratio = Math.abs(actual - expected) / (atol + rtol * Math.abs(expected));
        if (Double.isNaN(actual) || Double.isNaN(ratio)) ratio = Double.POSITIVE_INFINITY;
        worst = Math.max(worst, ratio);
        if (ratio > 1) failures.add(what + ": " + actual + ", expected " + expected + " (error " + fmt(ratio) + "× tolerance)");
    }

    void exact(String what, int[] expected, int[] actual) {
        compared.add(what);
        if (!Arrays.equals(expected, actual)) {
            failures.add(what + ": got " + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
        }
    }

    void exact(String what, Object expected, Object actual) {
        compared.add(what);
        if (!expected.equals(actual)) failures.add(what + ": got " + actual + ", expected " + expected);
    }

    static String fmt(double ratio) { return String.format(java.util.Locale.ROOT, "%.3g", ratio); }
}
