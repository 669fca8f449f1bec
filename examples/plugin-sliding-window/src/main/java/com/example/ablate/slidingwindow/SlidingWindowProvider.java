package com.example.ablate.slidingwindow;

import java.util.List;
import org.ablate.api.ApiVersion;
import org.ablate.api.Attention;
import org.ablate.api.AttentionProvider;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/**
 * {@code attention: {id: sliding-window, window: 64}}: causal self-attention in which each query sees the last
 * {@code window} positions, itself included (the local attention of Longformer, Beltagy et al. 2020, and Mistral 7B).
 */
public final class SlidingWindowProvider implements AttentionProvider {
    @Override public String id() { return "sliding-window"; }

    @Override public String description() {
        return "Sliding-window causal attention: each query sees the last `window` positions, by a fused masked kernel (Beltagy et al. 2020)";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.integer("window", 64, 1, null, "positions each query sees, itself included"));
    }

    @Override public Attention create(AttentionSpec spec, Params params, ParameterScope scope) {
        if (spec.cross()) {
            throw new IllegalArgumentException("sliding-window: cross-attention is not supported; it is causal self-attention");
        }
        if (spec.dropout() > 0) {
            throw new IllegalArgumentException("sliding-window: attention dropout is not supported (the fused kernel has none); got "
                    + spec.dropout() + ", set model.dropout to 0");
        }
        return new SlidingWindowAttention(spec, params.getInt("window"), scope);
    }
}
