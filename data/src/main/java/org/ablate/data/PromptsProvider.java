package org.ablate.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

import org.ablate.api.ApiVersion;
import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.DataSourceProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.IntTensor;

/**
 * Prompts for reinforcement learning from a reward (PPO): JSON Lines of {@code {prompt}} rendered with the
 * spec's template. Gives {@code input_ids} and {@code attention_mask}, padded on the right; the objective
 * samples the responses. The last {@code held_out} share of the prompts is kept for evaluation.
 */
public final class PromptsProvider implements DataSourceProvider {
    @Override public String id() { return "prompts"; }

    @Override public String description() { return "prompts JSONL {prompt} whose responses the objective samples (PPO)"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.path("path", null, "the JSONL file (relative paths: from the spec's folder, then the working folder)"),
                ParamSpec.real("held_out", 0.1, 0.0, false, 1.0, false, "share of the prompts, from the end, kept for evaluation"),
                ParamSpec.text("template", "{prompt}", "the prompt as the model sees it: {prompt} is filled in"));
    }

    @Override public String tokenizerText(Params params, Path base) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Jsonl.Line l : read(params, base)) sb.append(prompt(params, l)).append('\n');
        return sb.toString();
    }

    @Override public DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException {
        Path file = TextWindowsProvider.resolve(params, base);
        List<int[]> prompts = new ArrayList<>();
        for (Jsonl.Line l : read(params, base)) {
            int[] ids = tokenizer.encode(prompt(params, l));
            if (ids.length == 0) throw new IOException(file + ":" + l.number() + ": field \"prompt\" gives no tokens");
            if (ids.length >= context) {
                throw new IOException(file + ":" + l.number() + ": the prompt (field prompt, with the template) is " + ids.length
                        + " tokens, longer than run.context " + context + " allows (at most " + (context - 1)
                        + ", to leave room for the response); shorten it or raise run.context");
            }
            prompts.add(ids);
        }
        int held = PromptRows.heldOutCount(file, prompts.size(), params.getDouble("held_out"));
        return new Source(file, prompts.subList(0, prompts.size() - held), prompts.subList(prompts.size() - held, prompts.size()),
                PromptRows.padId(tokenizer));
    }

    private static List<Jsonl.Line> read(Params params, Path base) throws IOException {
        PromptRows.checkTemplate("template", params.getString("template"), List.of("prompt"));
        return Jsonl.read(TextWindowsProvider.resolve(params, base), List.of("prompt"), List.of());
    }

    private static String prompt(Params params, Jsonl.Line l) {
        return PromptRows.render(params.getString("template"), Map.of("prompt", l.get("prompt")));
    }

    private record Source(Path file, List<int[]> train, List<int[]> held, int pad) implements DataSource {
        @Override public Batch trainBatch(int batchSize, int context, RandomGenerator random) {
            List<int[]> rows = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) rows.add(train.get(random.nextInt(train.size())));
            return batch(rows);
        }

        @Override public Batch heldOutBatch(int index, int batchSize, int context) {
            int[] range = PromptRows.heldOutRange(index, batchSize, held.size());
            return range == null ? null : batch(held.subList(range[0], range[1]));
        }

        private Batch batch(List<int[]> rows) {
            int width = 1;
            long tokens = 0;
            for (int[] r : rows) { width = Math.max(width, r.length); tokens += r.length; }
            int[] ids = new int[rows.size() * width], mask = new int[rows.size() * width];
            if (pad != 0) java.util.Arrays.fill(ids, pad);
            for (int i = 0; i < rows.size(); i++) {
                int[] r = rows.get(i);
                System.arraycopy(r, 0, ids, i * width, r.length);
                java.util.Arrays.fill(mask, i * width, i * width + r.length, 1);
            }
            Map<String, IntTensor> fields = new LinkedHashMap<>();
            fields.put("input_ids", IntTensor.of(ids, rows.size(), width));
            fields.put("attention_mask", IntTensor.of(mask, rows.size(), width));
            return new Batch(fields, tokens);
        }

        @Override public String describe() {
            return String.format(Locale.ROOT, "%s, %,d training and %,d held-out prompts", file, train.size(), held.size());
        }
    }
}
