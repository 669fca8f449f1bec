package org.ablate.cli;

import org.ablate.models.train.TrainOptions;
import picocli.CommandLine.Option;

/** Training options shared by {@code train} and {@code demo}; the defaults suit a small model on a laptop CPU. */
final class TrainingOptions {
    @Option(names = "--steps", description = "Optimizer steps (default: ${DEFAULT-VALUE}).") int steps = 300;
    @Option(names = "--batch-size", description = "Sequences per step (default: ${DEFAULT-VALUE}).") int batchSize = 16;
    @Option(names = "--context", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).") int context = 128;
    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).") double lr = 3e-3;
    @Option(names = "--min-lr", description = "Learning rate at the end of the cosine decay (default: ${DEFAULT-VALUE}).") double minLr = 3e-4;
    @Option(names = "--warmup", description = "Linear warmup steps (default: ${DEFAULT-VALUE}).") int warmup = 30;
    @Option(names = "--weight-decay", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).") double weightDecay = 0.1;
    @Option(names = "--clip", description = "Gradient global-norm limit, 0 = off (default: ${DEFAULT-VALUE}).") double clip = 1.0;
    @Option(names = "--eval-every", description = "Steps between held-out evaluations, 0 = start and end only (default: ${DEFAULT-VALUE}).") int evalEvery = 100;
    @Option(names = "--eval-batches", description = "Batches per held-out evaluation (default: ${DEFAULT-VALUE}).") int evalBatches = 8;
    @Option(names = "--held-out", description = "Share of the text, from its end, kept for evaluation (default: ${DEFAULT-VALUE}).") double heldOut = 0.1;
    @Option(names = "--seed", description = "Seed for initialisation, batches and dropout (default: ${DEFAULT-VALUE}).") long seed = 0;

    TrainOptions toOptions() {
        return new TrainOptions(steps, batchSize, context, lr, minLr, Math.min(warmup, steps), weightDecay, clip, evalEvery, evalBatches, seed);
    }
}
