package org.ablate.samplers;

import java.util.List;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/** Removes tokens whose probability is below {@code p} times that of the most likely token (HF MinPLogitsWarper). */
public final class MinPProvider extends Versioned {
    @Override public String id() { return "min-p"; }

    @Override public String description() { return "Keeps tokens with probability >= p * the top probability (Nguyen et al. 2024, min-p sampling)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("p", 0.05, 0.0, true, 1.0, true, "fraction of the top probability a token needs"));
    }

    @Override public Sampler create(Params params) {
        double minP = params.getDouble("p");
        return new Sampler() {
            @Override public Tensor process(Tensor logits, SamplingContext context) {
                float[][] rows = Rows.read("min-p", logits);
                for (float[] row : rows) {
                    double[] prob = Rows.softmax(row);
                    int top = Rows.argmax(row);
                    double threshold = minP * prob[top];
                    for (int j = 0; j < row.length; j++) if (j != top && prob[j] < threshold) row[j] = Float.NEGATIVE_INFINITY;
                }
                return Rows.write(rows);
            }

            @Override public String toString() { return "min-p " + minP; }
        };
    }
}
