package org.ablate.samplers;

import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/** Draws each row's token from the softmax of its (processed) logits, with the generation's seeded generator. */
public final class SampleProvider extends Versioned {
    @Override public String id() { return "sample"; }

    @Override public String description() { return "Draws a token from softmax(logits) with the run's seeded random generator (ancestral sampling)"; }

    @Override public Sampler create(Params params) {
        return new Sampler() {
            @Override public boolean picks() { return true; }

            @Override public int[] pick(Tensor logits, SamplingContext context) {
                if (context == null || context.random() == null) {
                    throw new IllegalArgumentException("sample: the sampling context has no random generator; give the generation a seed");
                }
                float[][] rows = Rows.read("sample", logits);
                int[] out = new int[rows.length];
                for (int i = 0; i < rows.length; i++) out[i] = Rows.draw(rows[i], context.random());
                return out;
            }

            @Override public String toString() { return "sample"; }
        };
    }
}
