package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * One transformer block: how self-attention, optional cross-attention and the feed-forward are wired
 * with norms and residual connections (pre-norm, post-norm, sandwich, parallel, ...). By convention
 * sub-layers live under {@code self_attn}, {@code self_attn_norm}, {@code cross_attn},
 * {@code cross_attn_norm}, {@code ffn} and {@code ffn_norm}, so Hugging Face weights map onto any wiring
 * that has them.
 *
 * <p>Run without a graph ({@code Tensor.noGrad()}) and without caches inside an open {@code Workspace} step, the arrays
 * a block's forward took other than its output's go back to the workspace when it returns, for the next block to
 * reuse: a block must not keep a tensor it computed past its forward (caches it is handed are exempt).
 */
@Experimental
public interface Block {
    /** @param x {@code [B, L, E]}; returns {@code [B, L, E]} */
    Tensor forward(Tensor x, BlockInputs inputs);
}
