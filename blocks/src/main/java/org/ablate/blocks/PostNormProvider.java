package org.ablate.blocks;

import org.ablate.api.Block;
import org.ablate.api.BlockSpec;
import org.ablate.api.Norm;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/** Post-norm (the original Transformer, BERT, Marian): {@code norm(x + f(x))} per sub-layer. */
public final class PostNormProvider extends Versioned {
    @Override public String id() { return "post-norm"; }

    @Override public String description() { return "post-norm residual block, norm(x + f(x)) (Vaswani et al. 2017; BERT)"; }

    @Override public Block create(BlockSpec spec, Params params, ParameterScope scope) {
        SubLayers s = new SubLayers(spec, scope);
        Norm selfNorm = spec.parts().norm(scope.child("self_attn_norm"));
        Norm crossNorm = spec.cross() ? spec.parts().norm(scope.child("cross_attn_norm")) : null;
        Norm ffnNorm = spec.parts().norm(scope.child("ffn_norm"));
        return (x, in) -> {
            x = selfNorm.forward(x.add(s.self(x, in)));
            if (crossNorm != null) x = crossNorm.forward(x.add(s.cross(x, in)));
            return ffnNorm.forward(x.add(s.ffn(x)));
        };
    }
}
