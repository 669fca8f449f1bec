package org.ablate.blocks;

import org.ablate.api.Block;
import org.ablate.api.BlockSpec;
import org.ablate.api.Norm;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/** Pre-norm (GPT-2, Xiong et al. 2020): {@code x + f(norm(x))} per sub-layer; the stack ends with a norm. */
public final class PreNormProvider extends Versioned {
    @Override public String id() { return "pre-norm"; }

    @Override public String description() { return "pre-norm residual block, x + f(norm(x)) (GPT-2; Xiong et al. 2020)"; }

    @Override public boolean finalNormByDefault() { return true; }

    @Override public Block create(BlockSpec spec, Params params, ParameterScope scope) {
        SubLayers s = new SubLayers(spec, scope);
        Norm selfNorm = spec.parts().norm(scope.child("self_attn_norm"));
        Norm crossNorm = spec.cross() ? spec.parts().norm(scope.child("cross_attn_norm")) : null;
        Norm ffnNorm = spec.parts().norm(scope.child("ffn_norm"));
        return (x, in) -> {
            x = x.add(s.self(selfNorm.forward(x), in));
            if (crossNorm != null) x = x.add(s.cross(crossNorm.forward(x), in));
            return x.add(s.ffn(ffnNorm.forward(x)));
        };
    }
}
