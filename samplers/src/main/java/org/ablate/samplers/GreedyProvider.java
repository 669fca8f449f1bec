package org.ablate.samplers;

import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/** Picks the most likely token; ties go to the lowest id. */
public final class GreedyProvider extends Versioned {
    @Override public String id() { return "greedy"; }

    @Override public String description() { return "Picks the highest logit (argmax; ties go to the lowest token id)"; }

    @Override public Sampler create(Params params) { return new Greedy(); }

    static final class Greedy implements Sampler {
        @Override public boolean picks() { return true; }

        @Override public int[] pick(Tensor logits, SamplingContext context) {
            float[][] rows = Rows.read("greedy", logits);
            int[] out = new int[rows.length];
            for (int i = 0; i < rows.length; i++) out[i] = Rows.argmax(rows[i]);
            return out;
        }

        @Override public String toString() { return "greedy"; }
    }
}
