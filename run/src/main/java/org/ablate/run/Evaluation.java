package org.ablate.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.ablate.api.Batch;
import org.ablate.api.ComponentKind;
import org.ablate.api.DataSource;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Objective;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * Scores a trained model on a data file and returns the figures as one JSON-ready map: perplexity for
 * language models, masked-token accuracy for masked LMs, accuracy and macro-F1 for classifiers. The kind
 * of evaluation follows the run's objective ({@link #TASKS}); a model without a run spec (a Hugging Face
 * folder, an imported checkpoint) gets the kind its architecture and heads suggest ({@link #defaultObjective}).
 * The whole file is evaluation data: the data source is opened with {@code held_out: 1}.
 *
 * <p>To add a kind (sequence-to-sequence BLEU, say), implement {@link Task} and map the objective id that
 * trains it to the task in {@link #TASKS}.
 */
public final class Evaluation {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How batches are cut. Zero (or a negative seed) means "as the run's spec says".
     *
     * @param batchSize  rows per batch
     * @param context    the longest row, in tokens
     * @param seed       the seed of the draws an objective makes (masked LM's masks)
     * @param maxBatches stop after this many batches; 0 = the whole file
     */
    public record Settings(int batchSize, int context, long seed, int maxBatches) {
        public static final Settings FROM_SPEC = new Settings(0, 0, -1, 0);
    }

    /**
     * Everything a task may read.
     *
     * @param objectiveId     the objective the model was trained with (or is scored as)
     * @param objectiveParams its validated parameters
     * @param labels          class names in id order, when the data names them (else empty)
     */
    public record Context(Network model, Tokenizer tokenizer, Objective objective, String objectiveId, Params objectiveParams,
                          DataSource data, Settings settings, List<String> labels) {}

    /** One kind of evaluation. */
    public interface Task {
        /** The {@code task} field of the result, e.g. {@code "lm"}. */
        String kind();

        /** The figures of the model on every evaluation batch of the data. */
        Map<String, Object> evaluate(Context c);
    }

    /** The evaluation of each objective id. */
    public static final Map<String, Task> TASKS = Map.of(
            "next-token", new LossTask("lm", "tokens"),
            "masked-lm", new LossTask("masked-lm", "masked_tokens"),
            "classification", new ClassificationTask());

    private final ComponentRegistry registry;

    public Evaluation(ComponentRegistry registry) { this.registry = registry; }

    /**
     * Evaluates the final model of a run folder on {@code data}, read by the run's own data source and scored as
     * its objective says.
     */
    public Map<String, Object> evaluateRun(Path run, Path data, Settings settings) throws IOException {
        Path specFile = run.resolve("spec.yaml");
        if (!Files.isRegularFile(specFile)) throw new IOException(run + ": no spec.yaml; expected a run folder of 'ablate train'");
        RunSpec spec = new SpecLoader(registry).load(specFile, List.of());
        Checkpoint.Loaded loaded = Checkpoint.load(run, registry);
        if (loaded.tokenizer() == null) throw new IOException(run + ": the model has no tokenizer");
        String dataId = spec.data() == null ? null : spec.data().id();
        Map<String, Object> dataParams = spec.data() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(spec.data().params().values());
        Settings s = new Settings(settings.batchSize() > 0 ? settings.batchSize() : spec.run().batchSize(),
                settings.context() > 0 ? settings.context() : spec.run().context(),
                settings.seed() >= 0 ? settings.seed() : spec.run().seed(), settings.maxBatches());
        Map<String, Object> out = evaluate(loaded.model(), loaded.tokenizer(), spec.objective().id(), spec.objective().params().values(),
                dataId == null ? defaultData(spec.objective().id()) : dataId, dataParams, data, s);
        out.put("run", run.toString());
        out.put("spec_sha256", spec.hash());
        return out;
    }

    /**
     * A run's held-out loss at each of {@code contexts}, as {@code run.eval_contexts} defines it: {@code data} cut as
     * the run's data section cuts its file (the same held-out share), the run's held-out span of
     * {@code eval_batches × batch_size × context} tokens scored in non-overlapping windows of each length. With the
     * file the run trained on, the figures at the run's own contexts are the ones its last evaluation logged.
     */
    public Map<String, Object> heldOutAtContexts(Path run, Path data, List<Integer> contexts) throws IOException {
        Path specFile = run.resolve("spec.yaml");
        if (!Files.isRegularFile(specFile)) throw new IOException(run + ": no spec.yaml; --contexts scores a run folder of 'ablate train' on its held-out text");
        RunSpec spec = new SpecLoader(registry).load(specFile, List.of());
        if (spec.data() == null) throw new IOException(specFile + ": the run has no data section to cut the held-out text by");
        Checkpoint.Loaded loaded = Checkpoint.load(run, registry);
        if (loaded.tokenizer() == null) throw new IOException(run + ": the model has no tokenizer");
        long span = spec.run().heldOutTokens();
        int max = loaded.model().config().maxPositions();
        for (int c : contexts) {
            if (c < 1 || c > max) {
                throw new IllegalArgumentException("--contexts: " + c + " is outside 1.." + max + ", the model's positions (model.max_positions " + max + ")");
            }
            if (span % c != 0) {
                throw new IllegalArgumentException("--contexts: " + c + " does not divide the run's held-out span of " + span
                        + " tokens (eval_batches × batch_size × context), which every context scores");
            }
        }
        String objectiveId = spec.objective().id();
        Params op = registry.params(ComponentKind.OBJECTIVE, objectiveId, spec.objective().params().values());
        Objective objective = registry.objective(objectiveId).create(op, tokenizerOnly(loaded.tokenizer()));
        objective.check(loaded.model());
        Map<String, Object> dp = new LinkedHashMap<>(spec.data().params().values());
        dp.put("path", data.toAbsolutePath().toString());
        DataSource source = registry.data(spec.data().id()).open(registry.params(ComponentKind.DATA, spec.data().id(), dp), null,
                loaded.tokenizer(), spec.run().context());
        Trainer trainer = new Trainer(loaded.model(), objective, source, spec, java.util.Set.of());
        Map<String, Double> losses = new LinkedHashMap<>();
        for (int c : new java.util.TreeSet<>(contexts)) losses.put(Integer.toString(c), trainer.heldOutAt(c));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", "lm-contexts");
        out.put("data", data.toString());
        out.put("held_out_tokens", span);
        out.put("training_context", spec.run().context());
        out.put("loss_by_context", losses);
        out.put("run", run.toString());
        out.put("spec_sha256", spec.hash());
        return out;
    }

    /**
     * Evaluates {@code model} as {@code objectiveId} on {@code data}, read by the data source {@code dataId} with
     * {@code dataParams} (its path replaced by {@code data}, all of it held out).
     */
    public Map<String, Object> evaluate(Model model, Tokenizer tokenizer, String objectiveId, Map<String, ?> objectiveParams, String dataId,
                                        Map<String, ?> dataParams, Path data, Settings settings) throws IOException {
        Task task = TASKS.get(objectiveId);
        if (task == null) {
            throw new IllegalArgumentException("no evaluation for objective \"" + objectiveId + "\"; evaluations exist for " + String.join(", ", new java.util.TreeSet<>(TASKS.keySet())));
        }
        if (settings.batchSize() < 1 || settings.context() < 1) throw new IllegalArgumentException("evaluate: batch size and context must be positive");
        if (settings.context() > model.config().maxPositions()) {
            throw new IllegalArgumentException("evaluate: context " + settings.context() + " is more than the model's max_positions " + model.config().maxPositions());
        }
        Params op = registry.params(ComponentKind.OBJECTIVE, objectiveId, objectiveParams);
        Objective objective = registry.objective(objectiveId).create(op, tokenizerOnly(tokenizer));
        objective.check(model);
        Map<String, Object> dp = new LinkedHashMap<>(dataParams);
        dp.put("path", data.toAbsolutePath().toString());
        dp.put("held_out", 1.0);
        Params params = registry.params(ComponentKind.DATA, dataId, dp);
        DataSource source = registry.data(dataId).open(params, null, tokenizer, settings.context());
        List<String> labels = params.has("labels") ? ClassificationMetrics.names(params.getString("labels")) : List.of();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", task.kind());
        out.put("data", data.toString());
        try (NoGrad g = Tensor.noGrad()) {
            out.putAll(task.evaluate(new Context(model, tokenizer, objective, objectiveId, op, source, settings, labels)));
        }
        return out;
    }

    /**
     * What a model without a run spec is scored as: next-token for decoder-only models; for encoder-only ones,
     * classification when a head gives per-sequence logits, else masked LM.
     */
    public static String defaultObjective(Model model) {
        if (model.hasDecoder() && !model.hasEncoder()) return "next-token";
        if (model.hasEncoder() && !model.hasDecoder()) {
            for (String h : model.heads()) if (model.head(h).output() == HeadOutput.SEQUENCE_LOGITS) return "classification";
            return "masked-lm";
        }
        throw new IllegalArgumentException("no evaluation for encoder-decoder models yet; evaluations exist for " + String.join(", ", new java.util.TreeSet<>(TASKS.keySet())));
    }

    /** The head an objective scores, when the model names it otherwise than the objective's default. */
    public static Map<String, Object> objectiveParamsFor(Model model, String objectiveId) {
        HeadOutput want = objectiveId.equals("classification") ? HeadOutput.SEQUENCE_LOGITS : HeadOutput.TOKEN_LOGITS;
        String fallback = switch (objectiveId) { case "classification" -> "classifier"; case "masked-lm" -> "mlm_head"; default -> "lm_head"; };
        if (model.heads().contains(fallback) && model.head(fallback).output() == want) return Map.of();
        for (String h : model.heads()) if (model.head(h).output() == want) return Map.of("head", h);
        return Map.of();
    }

    /** The data source that reads evaluation files for an objective when the run names none. */
    public static String defaultData(String objectiveId) {
        return switch (objectiveId) {
            case "masked-lm" -> "text-lines";
            case "classification" -> "labelled-text";
            default -> "text-windows";
        };
    }

    /** The result as one line of JSON. */
    public static String toJson(Map<String, Object> result) {
        try {
            return JSON.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Evaluation batch {@code i}, or {@code null} past the end (or past {@code maxBatches}). */
    static Batch batch(Context c, int i) {
        if (c.settings().maxBatches() > 0 && i >= c.settings().maxBatches()) return null;
        return c.data().heldOutBatch(i, c.settings().batchSize(), c.settings().context());
    }

    /**
     * The objective's loss averaged over every item it counts (tokens for LM, chosen positions for masked LM),
     * its perplexity, and its metrics averaged the same way (masked LM's accuracy becomes masked-token accuracy).
     * Draws for batch {@code i} come from the seed and {@code i} as in the trainer's held-out evaluation, so a run's
     * final held-out loss is reproduced by evaluating its held-out data with its seed.
     */
    record LossTask(String kind, String countName) implements Task {
        @Override public Map<String, Object> evaluate(Context c) {
            double sum = 0;
            long count = 0;
            Map<String, Double> metricSums = new LinkedHashMap<>();
            int batches = 0;
            Workspace arrays = new Workspace(); // each batch reuses the arrays of the one before
            for (int i = 0; ; i++) {
                try (Workspace.Step step = arrays.open()) {
                    Batch b = batch(c, i);
                    if (b == null) break;
                    Loss loss = c.objective().loss(c.model(), b, Trainer.heldOutRandom(c.settings().seed(), i));
                    batches++;
                    if (loss.count() == 0) continue;
                    sum += loss.value().item() * loss.count();
                    count += loss.count();
                    for (var m : loss.metrics().entrySet()) metricSums.merge(m.getKey(), m.getValue() * loss.count(), Double::sum);
                }
            }
            if (count == 0) throw new IllegalArgumentException("evaluate: the data gives nothing to score (" + batches + " batches)");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("loss", sum / count);
            out.put("perplexity", Math.exp(sum / count));
            for (var m : metricSums.entrySet()) out.put(kind.equals("masked-lm") && m.getKey().equals("accuracy") ? "masked_token_accuracy" : m.getKey(), m.getValue() / count);
            out.put(countName, count);
            out.put("batches", batches);
            return out;
        }
    }

    /**
     * Accuracy, macro-F1 and per-class figures of the arg-max of the classifier head, the mean cross-entropy, and
     * the same figures for the majority-class baseline (always the most frequent gold label of the evaluated data).
     * Rows labelled {@link Batch#IGNORE} count nowhere; padding is masked out of the encoder and the pooling.
     */
    record ClassificationTask() implements Task {
        @Override public String kind() { return "classification"; }

        @Override public Map<String, Object> evaluate(Context c) {
            Head head = c.model().head(c.objectiveParams().getString("head"));
            List<Integer> gold = new ArrayList<>(), pred = new ArrayList<>();
            double lossSum = 0;
            int classes = -1;
            Workspace arrays = new Workspace(); // each batch reuses the arrays of the one before
            for (int i = 0; ; i++) {
                try (Workspace.Step step = arrays.open()) {
                    Batch b = batch(c, i);
                    if (b == null) break;
                    IntTensor mask = b.optional("attention_mask"), labels = b.get("labels");
                    Tensor logits = head.forward(c.model().encode(b.get("input_ids"), b.optional("token_type_ids"), mask), mask);
                    classes = logits.size(-1);
                    int[] arg = logits.argmax(1).data();
                    long counted = 0;
                    for (int r = 0; r < arg.length; r++) {
                        int y = labels.data()[r];
                        if (y == Batch.IGNORE) continue;
                        if (y < 0 || y >= classes) {
                            throw new IllegalArgumentException("evaluate: label id " + y + " but the head has " + classes + " classes; the data's labels do not match the model");
                        }
                        gold.add(y);
                        pred.add(arg[r]);
                        counted++;
                    }
                    if (counted > 0) lossSum += Tensor.crossEntropy(logits, labels, Batch.IGNORE, 0f).item() * counted;
                }
            }
            if (gold.isEmpty()) throw new IllegalArgumentException("evaluate: the data has no labelled row");
            ClassificationMetrics m = ClassificationMetrics.of(gold.stream().mapToInt(Integer::intValue).toArray(),
                    pred.stream().mapToInt(Integer::intValue).toArray(), classes);
            int majority = m.majorityClass();
            ClassificationMetrics base = m.constant(majority);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("loss", lossSum / gold.size());
            out.put("accuracy", m.accuracy());
            out.put("macro_f1", m.macroF1());
            out.put("examples", gold.size());
            out.put("per_class", m.perClass(c.labels()));
            out.put("majority_class", c.labels().size() > majority ? c.labels().get(majority) : Integer.toString(majority));
            out.put("majority_accuracy", base.accuracy());
            out.put("majority_macro_f1", base.macroF1());
            return out;
        }
    }

    /** What an evaluation offers an objective: the tokenizer, and no frozen models. */
    static org.ablate.api.ObjectiveContext tokenizerOnly(Tokenizer tokenizer) {
        return new org.ablate.api.ObjectiveContext() {
            @Override public Tokenizer tokenizer() { return tokenizer; }
            @Override public org.ablate.api.Network frozen(String field, String path) {
                throw new IllegalArgumentException(field + ": evaluation loads no frozen models; evaluate this objective inside its run");
            }
        };
    }
}
