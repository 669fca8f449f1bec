package org.ablate.blocks;

import java.util.List;
import org.ablate.api.Block;
import org.ablate.api.BlockSpec;
import org.ablate.api.Norm;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.Tensor;

/**
 * Parallel attention and feed-forward (GPT-J, PaLM): {@code x + attn(norm(x)) + ffn(norm(x))}, one shared
 * norm by default ({@code self_attn_norm}), or a second one for the feed-forward ({@code ffn_norm}, GPT-NeoX).
 * Decoder-only and encoder-only stacks; there is no standard parallel wiring with cross-attention.
 */
public final class ParallelProvider extends Versioned {
    @Override public String id() { return "parallel"; }

    @Override public String description() { return "parallel attention and feed-forward, x + attn(norm(x)) + ffn(norm(x)) (GPT-J; Chowdhery et al. 2022, PaLM)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.bool("shared_norm", true, "one norm feeds both branches (GPT-J, PaLM); false gives the feed-forward its own (GPT-NeoX)"));
    }

    @Override public boolean finalNormByDefault() { return true; }

    @Override public Block create(BlockSpec spec, Params params, ParameterScope scope) {
        if (spec.cross()) {
            throw new IllegalArgumentException("block \"parallel\" has no cross-attention wiring; use pre-norm or post-norm for encoder-decoder models");
        }
        SubLayers s = new SubLayers(spec, scope);
        Norm attnNorm = spec.parts().norm(scope.child("self_attn_norm"));
        Norm ffnNorm = params.getBoolean("shared_norm") ? attnNorm : spec.parts().norm(scope.child("ffn_norm"));
        return (x, in) -> {
            Tensor h = attnNorm.forward(x);
            Tensor g = ffnNorm == attnNorm ? h : ffnNorm.forward(x);
            return x.add(s.self(h, in)).add(s.ffn(g));
        };
    }
}
