package com.example.ablate.topa;

import java.util.List;
import org.ablate.api.ApiVersion;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplerProvider;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/**
 * Top-a sampling: keeps the tokens whose probability is at least {@code a · p_max²}, so the cut-off
 * adapts to how confident the model is. Written against the public SPI only, as any plugin would be.
 */
public final class TopAProvider implements SamplerProvider {
    @Override public String id() { return "top-a"; }

    @Override public String description() { return "keep tokens with p >= a * p_max^2 (top-a sampling)"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("a", 0.2, 0.0, false, 1.0, true, "strength of the cut-off"));
    }

    @Override public Sampler create(Params params) {
        double a = params.getDouble("a");
        return new Sampler() {
            @Override public Tensor process(Tensor logits, SamplingContext context) {
                int rows = logits.size(0), vocab = logits.size(1);
                float[] x = logits.toArray();
                for (int r = 0; r < rows; r++) {
                    int base = r * vocab;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < vocab; i++) max = Math.max(max, x[base + i]);
                    double sum = 0;
                    for (int i = 0; i < vocab; i++) sum += Math.exp(x[base + i] - max);
                    double pMax = 1.0 / sum;
                    double threshold = a * pMax * pMax;
                    for (int i = 0; i < vocab; i++) {
                        if (Math.exp(x[base + i] - max) / sum < threshold) x[base + i] = Float.NEGATIVE_INFINITY;
                    }
                }
                return Tensor.of(x, rows, vocab);
            }
        };
    }
}
