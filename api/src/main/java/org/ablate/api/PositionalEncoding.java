package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * Injects token positions. A variant implements the hooks it needs and leaves the others as identity:
 * add to the token embeddings (sinusoidal, learned), rotate queries and keys (RoPE), or add a bias to
 * the attention scores (ALiBi).
 *
 * <p>Offsets: {@code offset} is the absolute position of the first row given, so that cached decoding
 * (one token at a time, offset = cache length) gives the same numbers as one full pass.
 * Positions past {@code maxPositions} fail with a message naming both.
 */
@Stable
public interface PositionalEncoding {
    /** Token embeddings {@code [B, L, E]} at positions {@code offset .. offset+L-1} to the block input {@code [B, L, E]}. */
    default Tensor embed(Tensor tokens, int offset) { return tokens; }

    /** Queries or keys {@code [B, H, L, Dh]} at positions {@code offset .. offset+L-1}, rotated. */
    default Tensor rotate(Tensor queriesOrKeys, int offset) { return queriesOrKeys; }

    /**
     * An additive bias on the attention scores, {@code [H, Lq, Lk]}, for queries at positions
     * {@code queryOffset .. queryOffset+Lq-1} and keys at {@code 0 .. Lk-1}; {@code null} when this
     * variant adds none.
     */
    default Tensor scoreBias(int queryLength, int queryOffset, int keyLength) { return null; }
}
