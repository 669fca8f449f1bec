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

    /** Keeps only the batch rows in {@code rows}, in that order (beam search reorders hypotheses). */
    void reorder(int[] rows);
}
