package org.ablate.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ablate.platform.ComponentRegistry;
import org.ablate.run.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ablate eval MODEL --data FILE}: one JSON object of the model's figures on a data file. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a run (or a checkpoint or Hugging Face folder) on a data file and print one JSON object: "
                + "perplexity (language models), masked-token accuracy (masked LMs), accuracy and macro-F1 (classifiers).")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A run folder of 'ablate train', or a checkpoint or Hugging Face folder.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The data to evaluate on, all of it (read as the run's data section reads its file).")
    Path data;

    @Option(names = "--task", paramLabel = "OBJECTIVE", description = "Score as this objective (next-token, masked-lm, classification); default: the run's, "
            + "else from the model's architecture and heads.")
    String task;

    @Option(names = "--labels", paramLabel = "A,B,...", description = "Class names in id order, for a classifier without a run spec.")
    String labels;

    @Option(names = "--overflow", paramLabel = "POLICY", description = "Rows longer than the context, for a model without a run spec: refuse (default) or truncate.")
    String overflow;

    @Option(names = "--batch-size", description = "Rows per batch (default: the run's).") int batchSize;
    @Option(names = "--context", description = "Longest row in tokens (default: the run's, else 128 or max_positions if smaller).") int context;
    @Option(names = "--seed", description = "Seed of masked LM's masks (default: the run's, else 0).") long seed = -1;
    @Option(names = "--max-batches", description = "Stop after N batches (default: the whole file).") int maxBatches;
    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.") Path plugins;
    @Option(names = "--contexts", split = ",", paramLabel = "N,M,...", description = "Instead: the run's held-out loss at each of these contexts, "
            + "as run.eval_contexts defines it (--data: the file the run trained on; its held-out tail, the same tokens at every context, "
            + "in non-overlapping windows).") java.util.List<Integer> contexts;

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        Evaluation evaluation = new Evaluation(registry);
        Evaluation.Settings settings = new Evaluation.Settings(batchSize, context, seed, maxBatches);
        Map<String, Object> result;
        if (contexts != null && !contexts.isEmpty()) {
            result = evaluation.heldOutAtContexts(model, data, contexts);
        } else if (Files.isRegularFile(model.resolve("spec.yaml")) && task == null && labels == null) {
            result = evaluation.evaluateRun(model, data, settings);
        } else {
            ModelSource src = ModelSource.open(model, registry, true, System.err);
            if (src.tokenizer() == null) throw new IllegalArgumentException(model + ": has no tokenizer files; evaluation needs one");
            String objective = task != null ? task : Evaluation.defaultObjective(src.model());
            Map<String, Object> dataParams = new LinkedHashMap<>();
            String names = labels != null ? labels : objective.equals("classification") ? configLabels(model) : null;
            if (objective.equals("classification") && names == null) {
                throw new IllegalArgumentException(model + ": give the class names in id order with --labels (e.g. --labels ham,spam); "
                        + "the folder has no run spec and its config.json no id2label");
            }
            if (names != null) dataParams.put("labels", names);
            if (overflow != null && !Evaluation.defaultData(objective).equals("text-windows")) dataParams.put("overflow", overflow);
            int ctx = context > 0 ? context : Math.min(128, src.model().config().maxPositions());
            result = evaluation.evaluate(src.model(), src.tokenizer(), objective, Evaluation.objectiveParamsFor(src.model(), objective),
                    Evaluation.defaultData(objective), dataParams, data,
                    new Evaluation.Settings(batchSize > 0 ? batchSize : 16, ctx, seed >= 0 ? seed : 0, maxBatches));
            result.put("model", model.toString());
        }
        System.out.println(Evaluation.toJson(result));
        return 0;
    }

    /** A Hugging Face config.json's {@code id2label} as comma-separated names in id order, or {@code null}. */
    static String configLabels(Path dir) throws java.io.IOException {
        Path config = org.ablate.models.checkpoint.Checkpoint.modelFolder(dir).resolve("config.json");
        if (!Files.isRegularFile(config)) return null;
        com.fasterxml.jackson.databind.JsonNode id2label = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile()).path("id2label");
        if (!id2label.isObject() || id2label.isEmpty()) return null;
        String[] names = new String[id2label.size()];
        for (var e : id2label.properties()) {
            int id;
            try { id = Integer.parseInt(e.getKey()); } catch (NumberFormatException x) { return null; }
            if (id < 0 || id >= names.length || names[id] != null) return null;
            names[id] = e.getValue().asText();
        }
        return String.join(",", names);
    }
}
