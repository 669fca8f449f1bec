package org.ablate.models.train;

/**
 * How a language model is trained: AdamW with decoupled weight decay, linear warmup then cosine decay
 * to {@code minLearningRate}, gradients clipped to a global norm.
 *
 * @param steps            optimizer steps
 * @param batchSize        sequences per step
 * @param contextLength    tokens per sequence (each predicts its next token)
 * @param learningRate     peak learning rate, reached after {@code warmupSteps}
 * @param minLearningRate  floor of the cosine decay
 * @param warmupSteps      linear warmup length
 * @param weightDecay      AdamW's decoupled weight decay
 * @param clipNorm         global gradient-norm limit; 0 turns clipping off
 * @param evalEvery        steps between held-out evaluations; 0 evaluates only before and after
 * @param evalBatches      batches of held-out windows per evaluation
 * @param seed             seeds batch sampling and dropout
 */
public record TrainOptions(int steps, int batchSize, int contextLength, double learningRate, double minLearningRate,
                           int warmupSteps, double weightDecay, double clipNorm, int evalEvery, int evalBatches, long seed) {
    public TrainOptions {
        check(steps > 0, "steps", steps, "> 0");
        check(batchSize > 0, "batch_size", batchSize, "> 0");
        check(contextLength > 1, "context_length", contextLength, "> 1");
        check(learningRate > 0, "learning_rate", learningRate, "> 0");
        check(minLearningRate >= 0 && minLearningRate <= learningRate, "min_learning_rate", minLearningRate, "in [0, learning_rate]");
        check(warmupSteps >= 0 && warmupSteps <= steps, "warmup_steps", warmupSteps, "in [0, steps]");
        check(weightDecay >= 0, "weight_decay", weightDecay, ">= 0");
        check(clipNorm >= 0, "clip_norm", clipNorm, ">= 0");
        check(evalEvery >= 0, "eval_every", evalEvery, ">= 0");
        check(evalBatches > 0, "eval_batches", evalBatches, "> 0");
    }

    private static void check(boolean ok, String field, Object value, String expected) {
        if (!ok) throw new IllegalArgumentException("training option " + field + " must be " + expected + ", got " + value);
    }

    /** Tokens seen per optimizer step. */
    public long tokensPerStep() { return (long) batchSize * contextLength; }
}
