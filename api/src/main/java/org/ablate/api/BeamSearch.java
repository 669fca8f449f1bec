package org.ablate.api;

import java.util.List;

/**
 * Beam search over any model that scores next tokens, decoder-only or encoder-decoder. The
 * {@code beam-search} sampler's {@link Sampler} implements it; generation code asks the registry for that
 * sampler and uses it through this interface.
 *
 * <p>The rule (Hugging Face transformers' beam search, batch 1): hypotheses carry the sum of the
 * log-softmax of their step scores; the first step expands only the start sequence; each step takes the
 * {@code 2·beams} best (hypothesis, token) continuations; walking them best first, one that ends in
 * {@code eos} or reaches {@code maxNewTokens} is finished only if it ranks among the first {@code beams},
 * scored {@code sum / generated^lengthPenalty} (generated tokens include the eos and exclude the start
 * sequence); the {@code beams} best unfinished ones stay live; the finished set keeps its {@code beams}
 * best. With early stopping the search ends once {@code beams} hypotheses have finished; without it, once
 * none of the live ones can still beat the worst finished one at its current length. The answer is the
 * best finished hypothesis.
 */
@Stable
public interface BeamSearch {
    /** Scores the next token of each live hypothesis. */
    @FunctionalInterface
    interface Step {
        /**
         * @param hypotheses the live sequences, each the start sequence followed by the tokens generated so far
         * @param parents    for each hypothesis, the index of the hypothesis it extends in the previous call's
         *                   list ({@code {0}} on the first call) &mdash; pass it to {@link KvCache#reorder}
         * @return one row of {@code V} scores per hypothesis: logits or log-probabilities (log-softmax is
         *         applied to each row, which leaves log-probabilities unchanged)
         */
        float[][] scores(List<int[]> hypotheses, int[] parents);
    }

    /**
     * A finished hypothesis.
     *
     * @param tokens the start sequence followed by the generated tokens (the eos included when it ended on one)
     * @param score  the length-normalised score the search ranked it by
     */
    record Hypothesis(int[] tokens, double score) {}

    /** The number of beams. */
    int beams();

    /**
     * @param start        the prompt (decoder-only) or the decoder start tokens (encoder-decoder); not empty
     * @param eos          the end-of-sequence id, or {@code -1} for none
     * @param maxNewTokens the most tokens to generate, at least 1
     * @param step         scores the next token of the live hypotheses
     * @return the best finished hypothesis
     */
    Hypothesis search(int[] start, int eos, int maxNewTokens, Step step);
}
