package org.ablate.heads;

import java.util.List;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.HeadSpec;
import org.ablate.api.Init;
import org.ablate.api.Norm;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * BERT's masked-LM head (Devlin et al. 2019): {@code norm(gelu(dense(h)))} then vocabulary logits through the
 * tied token embedding plus {@code bias}. Weights {@code dense.*}, {@code norm.*}, {@code bias}.
 */
public final class MaskedLmHeadProvider extends Versioned {
    @Override public String id() { return "masked-lm"; }

    @Override public String description() { return "BERT's masked-LM head: dense, GELU, norm, tied vocabulary projection (Devlin et al. 2019)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.bool("tied", true, "project with the token embedding matrix (else its own decoder.weight)"));
    }

    @Override public Head create(HeadSpec spec, Params params, ParameterScope scope) {
        int e = spec.dModel();
        Tensor dw = scope.parameter("dense.weight", Init.normal(0.02), e, e);
        Tensor db = scope.parameter("dense.bias", Init.zeros(), e);
        Norm norm = spec.parts().norm(scope.child("norm"));
        Tensor decoder = params.getBoolean("tied") ? spec.tokenEmbedding()
                : scope.parameter("decoder.weight", Init.normal(0.02), spec.vocabSize(), e);
        Tensor bias = scope.parameter("bias", Init.zeros(), spec.vocabSize());
        return new Head() {
            @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                return norm.forward(hidden.linear(dw, db).gelu()).linear(decoder, bias);
            }
            @Override public HeadOutput output() { return HeadOutput.TOKEN_LOGITS; }
        };
    }
}
