package org.ablate.samplers;

import java.util.Arrays;
import java.util.List;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/** Keeps the k largest logits of each row; ties with the k-th value are all kept (as HF TopKLogitsWarper). */
public final class TopKProvider extends Versioned {
    @Override public String id() { return "top-k"; }

    @Override public String description() { return "Keeps the k most likely tokens (Fan, Lewis & Dauphin 2018; HF TopKLogitsWarper)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.integer("k", 50, 1, null, "how many of the most likely tokens to keep"));
    }

    @Override public Sampler create(Params params) {
        int k = params.getInt("k");
        return new Sampler() {
            @Override public Tensor process(Tensor logits, SamplingContext context) {
                float[][] rows = Rows.read("top-k", logits);
                for (float[] row : rows) {
                    if (k >= row.length) continue;
                    float[] sorted = row.clone();
                    Arrays.sort(sorted);
                    float threshold = sorted[row.length - k];
                    for (int j = 0; j < row.length; j++) if (row[j] < threshold) row[j] = Float.NEGATIVE_INFINITY;
                }
                return Rows.write(rows);
            }

            @Override public String toString() { return "top-k " + k; }
        };
    }
}
