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
 * One number from hidden states through {@code weight [1, E]} and {@code bias [1]}: at the last unpadded
 * token of each sequence (a reward model's score, Ouyang et al. 2022) or at every position (PPO's value head).
 */
public final class ScalarHeadProvider extends Versioned {
    @Override public String id() { return "scalar"; }

    @Override public String description() { return "scalar head: a reward at the last token, or a value at every token (Ouyang et al. 2022)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.choice("at", "last", List.of("last", "every"), "score the last unpadded token (reward) or every position (value)"));
    }

    @Override public Head create(HeadSpec spec, Params params, ParameterScope scope) {
        boolean every = params.getString("at").equals("every");
        Tensor w = scope.parameter("weight", Init.normal(0.02), 1, spec.dModel());
        Tensor b = scope.parameter("bias", Init.zeros(), 1);
        return new Head() {
            @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                if (every) return hidden.linear(w, b).squeeze(2);
                return Pooling.last(hidden, padding).linear(w, b).squeeze(1);
            }
            @Override public HeadOutput output() { return every ? HeadOutput.TOKEN_SCALAR : HeadOutput.SEQUENCE_SCALAR; }
        };
    }
}
