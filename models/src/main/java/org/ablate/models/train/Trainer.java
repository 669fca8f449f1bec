package org.ablate.models.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ablate.models.assembly.Model;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.optim.AdamW;
import org.ablate.tensor.optim.GradClip;
import org.ablate.tensor.optim.WarmupCosine;

/**
 * Trains a decoder-only model on next-token prediction: cross-entropy over every position, AdamW,
 * warmup + cosine schedule, global-norm clipping. A non-finite loss stops training with the step
 * at fault instead of silently spoiling the weights.
 */
public final class Trainer {
    /** Label value that cross-entropy skips. */
    static final int IGNORE = -100;

    private final Model model;
    private final TrainOptions options;

    public Trainer(Model model, TrainOptions options) {
        if (!model.config().hasDecoder() || model.config().hasEncoder()) {
            throw new IllegalArgumentException("train: next-token training needs a decoder-only model, the config is "
                    + model.config().architecture().id());
        }
        if (options.contextLength() > model.config().maxPositions()) {
            throw new IllegalArgumentException("train: context_length " + options.contextLength()
                    + " exceeds the model's max_positions " + model.config().maxPositions());
        }
        this.model = model;
        this.options = options;
    }

    /** Mean next-token cross-entropy of one batch; the graph is kept when gradients are enabled. */
    public Tensor loss(TokenData.Batch batch) {
        Tensor logits = model.forward(batch.inputs(), null, null);
        int v = logits.size(-1);
        return Tensor.crossEntropy(logits.reshape(-1, v), batch.targets(), IGNORE, 0f);
    }

    /** Mean held-out loss over the first {@code evalBatches} batches of non-overlapping windows. */
    public double evaluate(int[] tokens) {
        boolean was = model.training();
        model.train(false);
        double sum = 0;
        long count = 0;
        try (NoGrad g = Tensor.noGrad()) {
            for (int i = 0; i < options.evalBatches(); i++) {
                TokenData.Batch b = TokenData.window(tokens, options.batchSize(), options.contextLength(), i);
                if (b == null) break;
                int n = b.targets().numel();
                sum += loss(b).item() * n;
                count += n;
            }
        } finally {
            model.train(was);
        }
        if (count == 0) {
            throw new IllegalArgumentException("evaluate: the held-out text has fewer than " + (options.contextLength() + 1)
                    + " tokens, too short for one window of context_length " + options.contextLength());
        }
        return sum / count;
    }

    public TrainResult train(TokenData data, TrainListener listener) {
        if (data.train().length <= options.contextLength() + 1) {
            throw new IllegalArgumentException("train: the training text has " + data.train().length
                    + " tokens, fewer than one window of context_length " + options.contextLength() + " + 1");
        }
        List<Tensor> params = new ArrayList<>(model.parameters().values());
        AdamW optimizer = new AdamW(params, options.learningRate(), 0.9, 0.95, 1e-8, options.weightDecay());
        WarmupCosine schedule = new WarmupCosine(options.learningRate(), options.minLearningRate(), options.warmupSteps(), options.steps());
        SplittableRandom random = new SplittableRandom(options.seed());
        model.seed(options.seed());

        List<TrainResult.Evaluation> evals = new ArrayList<>();
        double initial = evaluate(data.heldOut());
        evals.add(new TrainResult.Evaluation(0, initial));
        listener.evaluated(0, initial);

        List<Double> losses = new ArrayList<>(options.steps());
        long trainingNanos = 0;
        model.train(true);
        try {
            for (int step = 1; step <= options.steps(); step++) {
                long t0 = System.nanoTime();
                double lr = schedule.apply(optimizer, step - 1);
                TokenData.Batch batch = TokenData.sample(data.train(), options.batchSize(), options.contextLength(), random);
                optimizer.zeroGrad();
                Tensor loss = loss(batch);
                double value = loss.item();
                if (!Double.isFinite(value)) {
                    throw new ArithmeticException("train: the loss became " + value + " at step " + step
                            + " (learning rate " + lr + "); lower learning_rate or raise warmup_steps");
                }
                loss.backward();
                if (options.clipNorm() > 0) GradClip.clipGlobalNorm(params, options.clipNorm());
                optimizer.step();
                trainingNanos += System.nanoTime() - t0;
                losses.add(value);
                double seconds = trainingNanos / 1e9;
                listener.step(step, options.steps(), value, lr, step * options.tokensPerStep() / seconds);
                if (options.evalEvery() > 0 && step % options.evalEvery() == 0 && step < options.steps()) {
                    double held = evaluate(data.heldOut());
                    evals.add(new TrainResult.Evaluation(step, held));
                    listener.evaluated(step, held);
                }
            }
        } finally {
            model.train(false);
        }
        double last = evaluate(data.heldOut());
        evals.add(new TrainResult.Evaluation(options.steps(), last));
        listener.evaluated(options.steps(), last);
        double seconds = trainingNanos / 1e9;
        return new TrainResult(initial, last, losses, evals, options.steps() * options.tokensPerStep() / seconds, seconds);
    }
}
