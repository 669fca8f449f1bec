package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * One transformer block: how self-attention, optional cross-attention and the feed-forward are wired
 * with norms and residual connections (pre-norm, post-norm, sandwich, parallel, ...). By convention
 * sub-layers live under {@code self_attn}, {@code self_attn_norm}, {@code cross_attn},
 * {@code cross_attn_norm}, {@code ffn} and {@code ffn_norm}, so Hugging Face weights map onto any wiring
 * that has them.
 */
@Experimental
public interface Block {
    /** @param x {@code [B, L, E]}; returns {@code [B, L, E]} */
    Tensor forward(Tensor x, BlockInputs inputs);
}
