package org.ablate.models.train;

import java.util.List;

/**
 * What a training run measured.
 *
 * @param initialHeldOutLoss mean held-out cross-entropy (nats per token) before the first step
 * @param finalHeldOutLoss   the same after the last step
 * @param trainLosses        training loss of every step
 * @param evaluations        held-out loss by step, including step 0 and the last step
 * @param tokensPerSecond    training throughput over the whole run
 * @param seconds            wall time of the training steps (evaluation excluded)
 */
public record TrainResult(double initialHeldOutLoss, double finalHeldOutLoss, List<Double> trainLosses,
                          List<Evaluation> evaluations, double tokensPerSecond, double seconds) {
    /** One held-out evaluation. */
    public record Evaluation(int step, double loss) {}

    public double initialPerplexity() { return Math.exp(initialHeldOutLoss); }

    public double finalPerplexity() { return Math.exp(finalHeldOutLoss); }
}
