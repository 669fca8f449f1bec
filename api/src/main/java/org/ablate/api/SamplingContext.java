package org.ablate.api;

import java.util.random.RandomGenerator;

/**
 * What a sampling step may look at besides the logits.
 *
 * @param previousTokens for each row of the logits, the tokens so far (prompt and generated), for
 *                       repetition penalties; never {@code null}, rows may be empty
 * @param random         the generation's seeded source of randomness; a run with the same seed and
 *                       inputs picks the same tokens
 */
@Stable
public record SamplingContext(int[][] previousTokens, RandomGenerator random) {}
