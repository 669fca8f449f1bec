package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * An attention layer with its own Q/K/V/output projections.
 *
 * <p>Shapes: {@code query} is {@code [B, Lq, E]}; {@code keyValue} is {@code [B, Lk, E]} &mdash; the same
 * tensor as {@code query} for self-attention, the encoder memory for cross-attention. The result is
 * {@code [B, Lq, E]}.
 *
 * <p>Positions: with a cache, the new queries start at position {@code cache.length()} (read before
 * appending); without one, at 0. Feeding a sequence one token at a time through a cache must give the
 * same outputs as one uncached pass.
 *
 * <p>Thread-safety: an instance may be used by one thread at a time.
 */
@Stable
public interface Attention {
    /**
     * @param query    {@code [B, Lq, E]}
     * @param keyValue {@code [B, Lk, E]}; ignored by cross-attention when {@code cache} already holds the memory
     * @param mask     causal and/or key padding, over all keys including cached ones
     * @param cache    {@code null} for a full pass; else the layer's cache, which this call extends
     *                 (self-attention) or fills once (cross-attention)
     * @return context vectors after the output projection, {@code [B, Lq, E]}
     */
    Tensor forward(Tensor query, Tensor keyValue, AttentionMask mask, KvCache cache);

    /** Switches on (or off) keeping the probabilities of the last forward call; off by default, free when off. */
    default void captureProbabilities(boolean on) {}

    /** The attention probabilities {@code [B, H, Lq, Lk]} of the last forward call, or {@code null} if not captured. */
    default Tensor capturedProbabilities() { return null; }
}
