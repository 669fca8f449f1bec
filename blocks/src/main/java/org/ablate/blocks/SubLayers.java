package org.ablate.blocks;

import org.ablate.api.Attention;
import org.ablate.api.BlockInputs;
import org.ablate.api.BlockSpec;
import org.ablate.api.FeedForward;
import org.ablate.api.ParameterScope;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.Tensor;

/**
 * The sub-layers every wiring shares, under the conventional names ({@code self_attn}, {@code cross_attn},
 * {@code ffn}), and their residual dropout.
 */
final class SubLayers {
    final Attention selfAttn;
    final Attention crossAttn;
    final FeedForward ffn;
    private final double dropout;
    private final String site;

    SubLayers(BlockSpec spec, ParameterScope scope) {
        selfAttn = spec.parts().attention(scope.child("self_attn"), false, spec.positional());
        crossAttn = spec.cross() ? spec.parts().attention(scope.child("cross_attn"), true, spec.positional()) : null;
        ffn = spec.parts().feedForward(scope.child("ffn"));
        dropout = spec.dropout();
        site = scope.prefix();
    }

    Tensor self(Tensor h, BlockInputs in) { return drop(selfAttn.forward(h, h, in.selfMask(), in.selfCache()), "self_attn"); }

    Tensor cross(Tensor h, BlockInputs in) { return drop(crossAttn.forward(h, in.memory(), in.memoryMask(), in.crossCache()), "cross_attn"); }

    Tensor ffn(Tensor h) { return drop(ffn.forward(h), "ffn"); }

    private Tensor drop(Tensor t, String sub) { return Dropout.apply(t, dropout, site + "." + sub + ".residual"); }
}
