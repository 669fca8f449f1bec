package org.ablate.tensor.optim;

import java.util.List;
import org.ablate.tensor.Tensor;

/**
 * Parameters that share optimizer settings, as PyTorch's parameter groups: a learning-rate multiplier
 * (the group's rate is the schedule's times this) and whether weight decay applies (usually not to
 * biases, norms and embeddings).
 */
public record ParamGroup(List<Tensor> params, double lrMultiplier, boolean weightDecay) {
    public ParamGroup {
        params = List.copyOf(params);
        if (!(lrMultiplier >= 0) || Double.isInfinite(lrMultiplier)) {
            throw new IllegalArgumentException("parameter group: learning-rate multiplier must be finite and >= 0, got " + lrMultiplier);
        }
    }

    /** One group of {@code params} with multiplier 1 and weight decay on. */
    public static List<ParamGroup> single(java.util.Collection<Tensor> params) { return List.of(new ParamGroup(List.copyOf(params), 1, true)); }

    static List<Tensor> flatten(List<ParamGroup> groups) {
        java.util.ArrayList<Tensor> out = new java.util.ArrayList<>();
        for (ParamGroup g : groups) out.addAll(g.params());
        return out;
    }

    static double[] multipliers(List<ParamGroup> groups) {
        return groups.stream().flatMapToDouble(g -> java.util.stream.DoubleStream.generate(() -> g.lrMultiplier()).limit(g.params().size())).toArray();
    }

    static boolean[] decays(List<ParamGroup> groups) {
        boolean[] out = new boolean[groups.stream().mapToInt(g -> g.params().size()).sum()];
        int i = 0;
        for (ParamGroup g : groups) for (int k = 0; k < g.params().size(); k++) out[i++] = g.weightDecay();
        return out;
    }
}
