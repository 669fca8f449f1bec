package org.ablate.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import com.google.inject.Inject;

import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.Loss;
import org.ablate.api.Objective;
import org.ablate.models.assembly.Model;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;
import org.ablate.tensor.optim.GradClip;
import org.ablate.tensor.optim.Optimizer;
import org.ablate.tensor.optim.Schedule;
import org.ablate.tensor.optim.WarmupCosine;

/**
 * Trains any model on any objective: batches from the data source, the objective's loss, gradient
 * clipping, the optimizer over the spec's parameter groups and the spec's schedule. Every random draw
 * of step {@code s} (batch, dropout masks, objective draws) comes from a generator derived from the run
 * seed and {@code s}, so a run resumed from a checkpoint repeats the uninterrupted run bit for bit.
 * A non-finite loss stops training with the step at fault.
 */
public final class Trainer {
    /** Where training starts: step 0, or a checkpoint's state. */
    public record Start(int step, List<Double> trainLosses, List<TrainResult.Evaluation> evaluations, Map<String, Tensor> optimizerState) {
        public static Start fresh() { return new Start(0, List.of(), List.of(), null); }
    }

    /** Writes a resumable checkpoint after {@code step}. */
    public interface Checkpointer {
        java.nio.file.Path save(int step, Optimizer optimizer, List<Double> losses, List<TrainResult.Evaluation> evaluations) throws java.io.IOException;
    }

    /** Thrown after a requested stop (a signal) once the checkpoint is written. */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int step;
        public final java.nio.file.Path checkpoint;

        Stopped(int step, java.nio.file.Path checkpoint) {
            super("stopped after step " + step + "; checkpoint " + checkpoint);
            this.step = step;
            this.checkpoint = checkpoint;
        }
    }

    private final Model model;
    private final Objective objective;
    private final DataSource data;
    private final RunSpec spec;
    private final Set<TrainingCallback> callbacks;
    /**
     * The arrays every training step reuses. Held-out batches take theirs from it too (their shapes are the training
     * forward pass's, already in the pool) without dropping the rest, so evaluating leaves no garbage either.
     */
    private final Workspace workspace = new Workspace();

    @Inject
    public Trainer(Model model, Objective objective, DataSource data, RunSpec spec, Set<TrainingCallback> callbacks) {
        this.model = model;
        this.objective = objective;
        this.data = data;
        this.spec = spec;
        this.callbacks = callbacks;
    }

    /** The schedule of the spec. */
    public static Schedule schedule(RunSpec spec) {
        RunSpec.Schedule s = spec.schedule();
        double lr = spec.optim().lr();
        int steps = spec.run().steps();
        int warmup = Math.min(s.warmup(), steps); // a short run (--steps 10) warms up over all of its steps
        return switch (s.id()) {
            case "constant" -> Schedule.constant(lr, warmup);
            case "linear" -> Schedule.linear(lr, s.minLr(), warmup, steps);
            default -> new WarmupCosine(lr, s.minLr(), warmup, steps);
        };
    }

    /** The generator of step {@code step}'s draws. */
    static SplittableRandom stepRandom(long seed, int step) { return new SplittableRandom(Dropout.stepSeed(seed, step)); }

    /** The generator of held-out batch {@code index}'s draws (e.g. masked LM's masks): the same at every evaluation. */
    static SplittableRandom heldOutRandom(long seed, int index) { return stepRandom(seed ^ 0x5EEDL, -1 - index); }

    /** Mean held-out loss over the first {@code eval_batches} batches, without dropout or graph. */
    public double evaluate() { return heldOut().loss(); }

    /**
     * A held-out evaluation: the mean loss and the mean of each figure the objective reports beside it (e.g. a
     * reward model's pair accuracy), both weighted by the count each batch's loss averages over.
     */
    public record HeldOut(double loss, Map<String, Double> metrics) {}

    /** Held-out loss and metrics over the first {@code eval_batches} batches, without dropout or graph. */
    public HeldOut heldOut() {
        RunSpec.Run run = spec.run();
        double sum = 0;
        long count = 0;
        Map<String, Double> metrics = new java.util.TreeMap<>();
        try (NoGrad g = Tensor.noGrad()) {
            for (int i = 0; i < run.evalBatches(); i++) {
                Batch b = data.heldOutBatch(i, run.batchSize(), run.context());
                if (b == null) break;
                try (Workspace.Step reuse = workspace.openForEvaluation()) {
                    Loss loss = objective.loss(model, b, heldOutRandom(run.seed(), i));
                    if (loss.count() == 0) continue;
                    sum += loss.value().item() * loss.count();
                    count += loss.count();
                    for (var m : loss.metrics().entrySet()) metrics.merge(m.getKey(), m.getValue() * loss.count(), Double::sum);
                }
            }
        }
        if (count == 0) throw new IllegalArgumentException("evaluate: the held-out data gives no batch of context " + run.context());
        long n = count;
        metrics.replaceAll((k, v) -> v / n);
        return new HeldOut(sum / count, metrics);
    }

    /**
     * The held-out loss at each of {@code run.eval_contexts}: the mean next-token loss over every position of the
     * same {@link RunSpec.Run#heldOutTokens() held-out span} the usual evaluation scores at the training context, cut
     * into non-overlapping windows of that length (each window starts afresh, as Press et al. 2022 evaluate
     * "nonoverlapping"). Ascending by context.
     */
    public Map<Integer, Double> heldOutAtContexts() {
        Map<Integer, Double> out = new java.util.TreeMap<>();
        for (int c : spec.run().evalContexts()) out.put(c, heldOutAt(c));
        return out;
    }

    /** The mean held-out loss over the {@link RunSpec.Run#heldOutTokens()} span cut into windows of {@code context} tokens. */
    public double heldOutAt(int context) {
        RunSpec.Run run = spec.run();
        long span = run.heldOutTokens();
        if (span % context != 0) throw new IllegalArgumentException("evaluate: context " + context + " does not divide the held-out span of " + span + " tokens");
        int windows = Math.toIntExact(span / context);
        int rows = rowsPerBatch(windows, context);
        double sum = 0;
        long count = 0;
        try (NoGrad g = Tensor.noGrad()) {
            for (int i = 0; i < windows / rows; i++) {
                Batch b = fullHeldOutBatch(i, rows, context);
                try (Workspace.Step reuse = workspace.openForEvaluation()) {
                    Loss loss = objective.loss(model, b, heldOutRandom(run.seed(), i));
                    sum += loss.value().item() * loss.count();
                    count += loss.count();
                }
            }
        }
        if (count == 0) throw new IllegalArgumentException("evaluate: nothing to score at context " + context);
        return sum / count;
    }

    /** As many tokens per batch as a training batch; the rows a divisor of the windows, so that no batch reaches past the span. */
    private int rowsPerBatch(int windows, int context) {
        int rows = (int) Math.max(1, Math.min(windows, spec.run().tokensPerStep() / context));
        while (windows % rows != 0) rows--;
        return rows;
    }

    private Batch fullHeldOutBatch(int index, int rows, int context) {
        Batch b = data.heldOutBatch(index, rows, context);
        if (b == null || b.tokens() < (long) rows * context) {
            throw new IllegalArgumentException("evaluate: the held-out data has fewer than the " + (spec.run().heldOutTokens() + 1)
                    + " tokens that run.eval_contexts scores at context " + context + " (eval_batches × batch_size × context, plus one); "
                    + "lower run.eval_batches or hold out more text");
        }
        return b;
    }

    /** Before the first step: the held-out data holds the span every context of {@code run.eval_contexts} scores. */
    private void checkHeldOutSpan() {
        for (int c : spec.run().evalContexts()) {
            int windows = Math.toIntExact(spec.run().heldOutTokens() / c), rows = rowsPerBatch(windows, c);
            fullHeldOutBatch(windows / rows - 1, rows, c);
        }
    }

    public TrainResult train(ParameterGroups.Split split, Start start, Checkpointer checkpointer, BooleanSupplier stopRequested) throws java.io.IOException {
        RunSpec.Run run = spec.run();
        Optimizer optimizer = ParameterGroups.optimizer(spec.optim(), split);
        if (start.optimizerState() != null) optimizer.loadState(start.optimizerState());
        List<Tensor> params = new ArrayList<>(split.trainable().values());
        Schedule schedule = schedule(spec);
        List<Double> losses = new ArrayList<>(start.trainLosses());
        List<TrainResult.Evaluation> evals = new ArrayList<>(start.evaluations());
        checkHeldOutSpan();
        double initial;
        if (start.step() == 0) {
            HeldOut e = heldOut();
            initial = e.loss();
            evals.add(new TrainResult.Evaluation(0, initial));
            for (TrainingCallback c : callbacks) c.evaluated(0, initial, e.metrics());
        } else {
            initial = evals.isEmpty() ? Double.NaN : evals.get(0).loss();
        }
        long nanos = 0;
        int done = 0;
        for (int step = start.step() + 1; step <= run.steps(); step++) {
            long t0 = System.nanoTime();
            double lr = schedule.apply(optimizer, step - 1);
            SplittableRandom random = stepRandom(run.seed(), step);
            Batch batch = data.trainBatch(run.batchSize(), run.context(), random);
            optimizer.zeroGrad();
            double value;
            Map<String, Double> metrics;
            // The step's activations and gradients come from the workspace and go back to it when the step ends.
            try (Workspace.Step reuse = workspace.open(); Dropout mode = Dropout.training(random.nextLong())) {
                Loss loss = objective.loss(model, batch, random);
                metrics = loss.metrics();
                value = loss.value().item();
                if (!Double.isFinite(value)) {
                    throw new ArithmeticException("train: the loss became " + value + " at step " + step + " (learning rate " + lr
                            + "); lower optim.lr or raise schedule.warmup");
                }
                loss.value().backward();
                if (spec.optim().clip() > 0) GradClip.clipGlobalNorm(params, spec.optim().clip());
                optimizer.step();
            }
            nanos += System.nanoTime() - t0;
            done++;
            losses.add(value);
            double tps = done * (double) batch.tokens() / (nanos / 1e9);
            for (TrainingCallback c : callbacks) c.step(step, run.steps(), value, lr, tps, metrics);
            if (run.evalEvery() > 0 && step % run.evalEvery() == 0 && step < run.steps()) {
                HeldOut held = heldOut();
                evals.add(new TrainResult.Evaluation(step, held.loss()));
                for (TrainingCallback c : callbacks) c.evaluated(step, held.loss(), held.metrics());
            }
            boolean stop = stopRequested.getAsBoolean();
            if (step < run.steps() && (stop || (run.checkpointEvery() > 0 && step % run.checkpointEvery() == 0))) {
                java.nio.file.Path at = checkpointer.save(step, optimizer, losses, evals);
                for (TrainingCallback c : callbacks) c.checkpointed(step, at);
                if (stop) throw new Stopped(step, at);
            }
        }
        HeldOut end = heldOut();
        double last = end.loss();
        evals.add(new TrainResult.Evaluation(run.steps(), last));
        Map<Integer, Double> atContexts = new java.util.TreeMap<>();
        Map<String, Double> endMetrics = new java.util.LinkedHashMap<>(end.metrics());
        if (!run.evalContexts().isEmpty()) {
            atContexts.put(run.context(), last); // the same windows as the evaluation above
            atContexts.putAll(heldOutAtContexts());
            atContexts.forEach((c, l) -> endMetrics.put("held_out_loss@" + c, l));
        }
        for (TrainingCallback c : callbacks) c.evaluated(run.steps(), last, endMetrics);
        double seconds = nanos / 1e9;
        return new TrainResult(initial, last, losses, evals, done == 0 ? 0 : done * run.tokensPerStep() / seconds, seconds, atContexts);
    }
}
