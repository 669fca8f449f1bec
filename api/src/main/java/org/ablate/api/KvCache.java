package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * Keys and values of one attention layer kept across decoding steps, each {@code [B, Hkv, L, Dh]}
 * after any rotation by the positional encoding. For self-attention each step appends its new keys
 * and values; for cross-attention the encoder memory's keys and values are stored once
 * ({@link #isEmpty()} tells whether they still need computing) and reused on every later step.
 *
 * <p>One cache per layer per generation; not thread-safe.
 */
@Stable
public interface KvCache {
    /** Number of cached positions {@code L}; the next query's position offset. */
    int length();

    default boolean isEmpty() { return length() == 0; }

    /** Cached keys {@code [B, Hkv, L, Dh]}, or {@code null} when empty. */
    Tensor keys();

    /** Cached values {@code [B, Hkv, L, Dh]}, or {@code null} when empty. */
    Tensor values();

    /** Appends {@code [B, Hkv, n, Dh]} keys and values along the length dimension. */
    void append(Tensor keys, Tensor values);

    /**
     * Keeps the batch rows in {@code rows}, in that order; a row may repeat, so the batch may grow
     * (beam search expands one prompt row into several hypotheses, then reorders them each step).
     */
    void reorder(int[] rows);

    /** An empty cache with room for 64 positions before its buffers first double. */
    static KvCache create() { return create(64); }

    /**
     * An empty cache whose buffers hold {@code capacity} positions and double when full; {@link #keys()} and
     * {@link #values()} are views, not copies. Appended tensors are copied in without their autograd
     * history: the cache serves inference.
     */
    static KvCache create(int capacity) { return new GrowableKvCache(capacity); }
}
