package org.ablate.heads;

import java.util.List;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.HeadSpec;
import org.ablate.api.Init;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * The language-model head: vocabulary logits {@code hidden · Wᵀ (+ b)}, with {@code W} the token embedding
 * when tied (Press and Wolf 2017), else its own {@code weight [V, E]}; {@code bias [V]} when asked
 * (Marian's final_logits_bias).
 */
public final class LmHeadProvider extends Versioned {
    @Override public String id() { return "lm"; }

    @Override public String description() { return "language-model head: vocabulary logits, optionally tied to the token embedding (Press and Wolf 2017)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.bool("tied", true, "reuse the token embedding matrix as the output projection"),
                ParamSpec.bool("bias", false, "a learned bias over the vocabulary"));
    }

    @Override public Head create(HeadSpec spec, Params params, ParameterScope scope) {
        Tensor w = params.getBoolean("tied") ? spec.tokenEmbedding()
                : scope.parameter("weight", Init.normal(0.02), spec.vocabSize(), spec.dModel());
        Tensor b = params.getBoolean("bias") ? scope.parameter("bias", Init.zeros(), spec.vocabSize()) : null;
        return new Head() {
            @Override public Tensor forward(Tensor hidden, IntTensor padding) { return hidden.linear(w, b); }
            @Override public HeadOutput output() { return HeadOutput.TOKEN_LOGITS; }
        };
    }
}
