package org.ablate.models.assembly;

import java.util.random.RandomGenerator;

import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.FeedForward;
import org.ablate.api.KvCache;
import org.ablate.api.Norm;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.models.config.NormPlacement;
import org.ablate.tensor.Tensor;

/**
 * One transformer block: self-attention, optional cross-attention over encoder memory, feed-forward;
 * each sub-layer wrapped in a residual connection with dropout and a norm before it (pre) or after
 * the sum (post). Weights live under {@code self_attn}, {@code self_attn_norm}, {@code cross_attn},
 * {@code cross_attn_norm}, {@code ffn} and {@code ffn_norm}.
 */
public final class Block {
    private final Attention selfAttn;
    private final Norm selfNorm;
    private final Attention crossAttn;
    private final Norm crossNorm;
    private final FeedForward ffn;
    private final Norm ffnNorm;
    private final NormPlacement placement;
    private final float dropout;

    Block(Parts parts, ParameterScope scope, PositionalEncoding pe, boolean withCross, NormPlacement placement, double dropout) {
        this.selfAttn = parts.attention(scope.child("self_attn"), false, pe);
        this.selfNorm = parts.norm(scope.child("self_attn_norm"));
        this.crossAttn = withCross ? parts.attention(scope.child("cross_attn"), true, pe) : null;
        this.crossNorm = withCross ? parts.norm(scope.child("cross_attn_norm")) : null;
        this.ffn = parts.feedForward(scope.child("ffn"));
        this.ffnNorm = parts.norm(scope.child("ffn_norm"));
        this.placement = placement;
        this.dropout = (float) dropout;
    }

    /**
     * @param x          {@code [B, L, E]}
     * @param selfMask   mask over the block's own keys (cached ones included)
     * @param memory     encoder output {@code [B, Ls, E]} for cross-attention, else {@code null}
     * @param memoryMask key padding over the memory
     * @param selfCache  this layer's self-attention cache, or {@code null}
     * @param crossCache this layer's cross-attention cache, or {@code null}
     */
    Tensor forward(Tensor x, AttentionMask selfMask, Tensor memory, AttentionMask memoryMask,
                   KvCache selfCache, KvCache crossCache, boolean training, RandomGenerator random) {
        x = sublayer(x, selfNorm, h -> selfAttn.forward(h, h, selfMask, selfCache), training, random);
        if (crossAttn != null) {
            x = sublayer(x, crossNorm, h -> crossAttn.forward(h, memory, memoryMask, crossCache), training, random);
        }
        return sublayer(x, ffnNorm, ffn::forward, training, random);
    }

    private Tensor sublayer(Tensor x, Norm norm, java.util.function.UnaryOperator<Tensor> f, boolean training, RandomGenerator random) {
        if (placement == NormPlacement.PRE) {
            return x.add(f.apply(norm.forward(x)).dropout(dropout, random, training));
        }
        return norm.forward(x.add(f.apply(x).dropout(dropout, random, training)));
    }

    Attention selfAttention() { return selfAttn; }

    Attention crossAttention() { return crossAttn; }
}
