package org.ablate.run;

import java.util.Map;

/** Hears a training run's progress (progress bars, loss files, external trackers); bound into a Guice set per run. */
public interface TrainingCallback {
    /** After each optimizer step. */
    default void step(int step, int totalSteps, double loss, double learningRate, double tokensPerSecond) {}

    /**
     * After each optimizer step, with the figures the objective reported beside the loss (a pair accuracy, a KL,
     * ...; often none). By default the same as the step without them.
     */
    default void step(int step, int totalSteps, double loss, double learningRate, double tokensPerSecond, Map<String, Double> metrics) {
        step(step, totalSteps, loss, learningRate, tokensPerSecond);
    }

    /** After each held-out evaluation ({@code step} 0 is before training). */
    default void evaluated(int step, double heldOutLoss, Map<String, Double> metrics) {}

    /** After a periodic checkpoint was written. */
    default void checkpointed(int step, java.nio.file.Path folder) {}
}
