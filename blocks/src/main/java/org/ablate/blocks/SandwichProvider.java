package org.ablate.blocks;

import org.ablate.api.Block;
import org.ablate.api.BlockSpec;
import org.ablate.api.Norm;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/**
 * Sandwich norm (CogView, Ding et al. 2021): {@code x + norm_out(f(norm(x)))}, a pre-norm block whose
 * sub-layer outputs are normalised again before the residual sum ({@code *_out_norm} weights).
 */
public final class SandwichProvider extends Versioned {
    @Override public String id() { return "sandwich"; }

    @Override public String description() { return "sandwich-norm residual block, x + norm(f(norm(x))) (Ding et al. 2021, CogView)"; }

    @Override public boolean finalNormByDefault() { return true; }

    @Override public Block create(BlockSpec spec, Params params, ParameterScope scope) {
        SubLayers s = new SubLayers(spec, scope);
        Norm selfIn = spec.parts().norm(scope.child("self_attn_norm"));
        Norm selfOut = spec.parts().norm(scope.child("self_attn_out_norm"));
        Norm crossIn = spec.cross() ? spec.parts().norm(scope.child("cross_attn_norm")) : null;
        Norm crossOut = spec.cross() ? spec.parts().norm(scope.child("cross_attn_out_norm")) : null;
        Norm ffnIn = spec.parts().norm(scope.child("ffn_norm"));
        Norm ffnOut = spec.parts().norm(scope.child("ffn_out_norm"));
        return (x, in) -> {
            x = x.add(selfOut.forward(s.self(selfIn.forward(x), in)));
            if (crossIn != null) x = x.add(crossOut.forward(s.cross(crossIn.forward(x), in)));
            return x.add(ffnOut.forward(s.ffn(ffnIn.forward(x))));
        };
    }
}
