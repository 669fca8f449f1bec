package org.ablate.models.train;

/** Receives training progress, e.g. to draw a progress bar or record a loss curve. */
public interface TrainListener {
    /** After each optimizer step. */
    default void step(int step, int totalSteps, double loss, double learningRate, double tokensPerSecond) {}

    /** After each held-out evaluation ({@code step} 0 is before training). */
    default void evaluated(int step, double heldOutLoss) {}

    TrainListener NONE = new TrainListener() {};
}
