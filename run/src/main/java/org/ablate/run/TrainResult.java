package org.ablate.run;

import java.util.List;
import java.util.Map;

/**
 * What a training run measured.
 *
 * @param initialHeldOutLoss mean held-out loss before the first step
 * @param finalHeldOutLoss   the same after the last step
 * @param trainLosses        training loss of every step (from step 1, including steps before a resume)
 * @param evaluations        held-out loss by step
 * @param tokensPerSecond    training throughput of this process's steps
 * @param seconds            wall time of this process's training steps (evaluation excluded)
 * @param heldOutAtContext   the last evaluation's held-out loss by context, the training context among them, when the spec
 *                           asks for {@code run.eval_contexts} (else empty); every context scores the same held-out tokens
 */
public record TrainResult(double initialHeldOutLoss, double finalHeldOutLoss, List<Double> trainLosses,
                          List<Evaluation> evaluations, double tokensPerSecond, double seconds, Map<Integer, Double> heldOutAtContext) {
    public TrainResult {
        heldOutAtContext = Map.copyOf(heldOutAtContext);
    }

    /** One held-out evaluation. */
    public record Evaluation(int step, double loss) {}

    public double initialPerplexity() { return Math.exp(initialHeldOutLoss); }

    public double finalPerplexity() { return Math.exp(finalHeldOutLoss); }
}
