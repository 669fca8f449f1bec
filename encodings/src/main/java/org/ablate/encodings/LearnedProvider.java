package org.ablate.encodings;

import java.util.List;
import org.ablate.api.Init;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.tensor.Tensor;

/** A trainable table {@code weight [max_positions, d_model]} added to the token embeddings (GPT-2, BERT). */
public final class LearnedProvider extends Versioned {
    @Override public String id() { return "learned"; }

    @Override public String description() { return "Trainable absolute position embeddings added to token embeddings (Gehring et al. 2017; GPT, BERT)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("init_std", 0.02, 0.0, true, null, false, "standard deviation of the initial table"));
    }

    @Override public PositionalEncoding create(PositionalSpec spec, Params params, ParameterScope scope) {
        int d = spec.dModel(), max = spec.maxPositions();
        Tensor weight = scope.parameter("weight", Init.normal(params.getDouble("init_std")), max, d);
        return new PositionalEncoding() {
            @Override public Tensor embed(Tensor tokens, int offset) {
                checkShape("learned", tokens, 3, d, "token embeddings [B, L, " + d + "]");
                int len = tokens.size(1);
                checkPositions("learned", offset, len, max);
                return tokens.add(weight.slice(0, offset, offset + len));
            }

            @Override public String toString() { return "learned"; }
        };
    }
}
