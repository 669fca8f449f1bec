package org.ablate.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.ablate.models.config.Component;
import org.ablate.models.config.ModelConfig;

/**
 * A resolved run spec: every section validated and every provider resolved once, by {@link SpecLoader}.
 *
 * @param source     the spec file (or a name for an embedded one), for messages
 * @param base       the folder relative paths in the spec are read from
 * @param model      the model (its vocab_size is replaced by a trained tokenizer's size)
 * @param tokenizer  the tokenizer provider and parameters
 * @param data       the data source provider and parameters
 * @param objective  the objective provider and parameters
 * @param optim      optimizer and parameter groups
 * @param schedule   the learning-rate schedule
 * @param run        steps, batch, context, seed, evaluation and checkpoint cadence
 * @param generation how {@code generate} and {@code demo} decode by default
 * @param resolved   the whole spec with every default filled in, as written into run folders
 * @param hash       SHA-256 of {@code resolved} in canonical form: the run's identity
 */
public record RunSpec(String source, Path base, ModelConfig model, Component tokenizer, Component data, Component objective,
                      Optim optim, Schedule schedule, Run run, Generation generation, JsonNode resolved, String hash) {

    /**
     * @param id            {@code adamw} or {@code sgd}
     * @param lr            peak learning rate
     * @param betas         AdamW's β1, β2
     * @param eps           AdamW's ε
     * @param momentum      SGD's momentum
     * @param weightDecay   decoupled (AdamW) or L2 (SGD) weight decay, where the group has it
     * @param clip          global gradient-norm limit, 0 = off
     * @param freeze        name patterns of parameters that do not train
     * @param noDecay       name patterns of parameters without weight decay
     * @param lrMultipliers name pattern → learning-rate multiplier (the first matching pattern wins)
     */
    public record Optim(String id, double lr, List<Double> betas, double eps, double momentum, double weightDecay, double clip,
                        List<String> freeze, List<String> noDecay, Map<String, Double> lrMultipliers) {}

    /** @param id warmup-cosine, linear or constant; {@code minLr} is where cosine and linear end */
    public record Schedule(String id, int warmup, double minLr) {}

    /**
     * @param checkpointEvery steps between resumable checkpoints; 0 = only at the end
     * @param evalEvery       steps between held-out evaluations; 0 = before and after only
     * @param evalContexts    further contexts (in tokens, ascending) at which the last evaluation also scores the held-out
     *                        span of {@link #heldOutTokens()} tokens, cut into non-overlapping windows of each length; empty = none
     */
    public record Run(int steps, int batchSize, int context, long seed, int evalEvery, int evalBatches, int checkpointEvery,
                      List<Integer> evalContexts) {
        public Run {
            evalContexts = List.copyOf(evalContexts);
        }

        /** A run without evaluations at other contexts. */
        public Run(int steps, int batchSize, int context, long seed, int evalEvery, int evalBatches, int checkpointEvery) {
            this(steps, batchSize, context, seed, evalEvery, evalBatches, checkpointEvery, List.of());
        }

        /** Tokens seen per optimizer step. */
        public long tokensPerStep() { return (long) batchSize * context; }

        /**
         * The held-out tokens every evaluation scores: {@code eval_batches × batch_size} windows of {@code context}
         * (where the held-out data has that many). The evaluations at {@link #evalContexts} score these same tokens.
         */
        public long heldOutTokens() { return (long) evalBatches * batchSize * context; }
    }

    /**
     * @param strategy   sample, greedy or beam
     * @param processors the logits processors before a sampled pick (temperature, top-k, top-p, ...)
     */
    public record Generation(String strategy, List<Component> processors, int maxNewTokens, int beams, double lengthPenalty,
                             boolean earlyStopping, List<String> prompts) {}
}
