package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * One step of a sampling chain, in the manner of Hugging Face's logits processors:
 * {@code temperature 0.8 -> top-p 0.9 -> sample}. Steps that only reshape the distribution implement
 * {@link #process}; the last step of a chain {@linkplain #picks() picks} the token. A chain without
 * a picking step ends in a seeded random draw from the processed distribution.
 *
 * <p>Filtered-out tokens get logit {@code -inf}. Stateless; safe to share between threads.
 */
@Stable
public interface Sampler {
    /** Maps logits {@code [N, V]} (one row per sequence) to new logits {@code [N, V]}. Identity by default. */
    default Tensor process(Tensor logits, SamplingContext context) { return logits; }

    /** True for steps that end a chain by choosing tokens (e.g. {@code greedy}). */
    default boolean picks() { return false; }

    /** Chooses one token per row of {@code logits [N, V]}; only called when {@link #picks()}. */
    default int[] pick(Tensor logits, SamplingContext context) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not pick tokens");
    }
}
