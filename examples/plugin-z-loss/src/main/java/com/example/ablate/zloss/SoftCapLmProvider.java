package com.example.ablate.zloss;

import java.util.List;
import org.ablate.api.ApiVersion;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.HeadProvider;
import org.ablate.api.HeadSpec;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/** A language-model head tied to the token embedding, with logits soft-capped as {@code cap · tanh(logits / cap)} (Gemma 2). */
public final class SoftCapLmProvider implements HeadProvider {
    @Override public String id() { return "softcap-lm"; }
    @Override public String description() { return "tied LM head with logits soft-capped as cap * tanh(logits / cap) (Gemma 2)"; }
    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
    @Override public List<ParamSpec> parameters() { return List.of(ParamSpec.real("cap", 30.0, 0.0, false, null, false, "the largest logit magnitude")); }

    @Override public Head create(HeadSpec spec, Params params, ParameterScope scope) {
        float cap = (float) params.getDouble("cap");
        return new Head() {
            @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                return hidden.linear(spec.tokenEmbedding(), null).div(cap).tanh().mul(cap);
            }
            @Override public HeadOutput output() { return HeadOutput.TOKEN_LOGITS; }
        };
    }
}
