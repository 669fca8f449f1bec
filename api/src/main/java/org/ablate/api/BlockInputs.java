package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * Everything a block reads besides its input.
 *
 * @param selfMask   mask over the block's own keys (cached ones included), or {@code null}
 * @param memory     encoder output {@code [B, Ls, E]} for cross-attention, else {@code null}
 * @param memoryMask key padding over the memory, or {@code null}
 * @param selfCache  this layer's self-attention cache, or {@code null}
 * @param crossCache this layer's cross-attention cache, or {@code null}
 */
@Experimental
public record BlockInputs(AttentionMask selfMask, Tensor memory, AttentionMask memoryMask, KvCache selfCache, KvCache crossCache) {}
