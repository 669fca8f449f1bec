package org.ablate.samplers;

import java.util.List;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/**
 * Nucleus filtering with the keep rule of HF's TopPLogitsWarper: sorted ascending, a token is removed when the
 * cumulative probability up to and including it is {@code <= 1 - p}; the most likely token is always kept.
 */
public final class TopPProvider extends Versioned {
    @Override public String id() { return "top-p"; }

    @Override public String description() { return "Nucleus filtering: keeps the smallest top set with probability mass >= p (Holtzman et al. 2020)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("p", 0.9, 0.0, false, 1.0, true, "probability mass to keep"));
    }

    @Override public Sampler create(Params params) {
        double p = params.getDouble("p");
        return new Sampler() {
            @Override public Tensor process(Tensor logits, SamplingContext context) {
                float[][] rows = Rows.read("top-p", logits);
                for (float[] row : rows) {
                    double[] prob = Rows.softmax(row);
                    Integer[] order = Rows.ascending(row);
                    double cum = 0;
                    for (int r = 0; r < order.length - 1; r++) { // the last (largest) is always kept
                        cum += prob[order[r]];
                        if (cum <= 1 - p) row[order[r]] = Float.NEGATIVE_INFINITY;
                        else break;
                    }
                }
                return Rows.write(rows);
            }

            @Override public String toString() { return "top-p " + p; }
        };
    }
}
