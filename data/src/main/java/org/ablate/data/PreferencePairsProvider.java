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
 * Preference pairs: JSON Lines of {@code {prompt, chosen, rejected}}, two answers to one prompt with the
 * preferred one first, as a reward model (Ouyang et al. 2022) and DPO (Rafailov et al. 2023) learn from.
 * Each batch holds both answers of the same pairs, as rows in the layout of {@code instructions} (prompt
 * then response, labels on the response only), all padded to one width: {@code chosen_input_ids},
 * {@code chosen_attention_mask}, {@code chosen_labels} and the same three for {@code rejected_}.
 */
public final class PreferencePairsProvider implements DataSourceProvider {
    @Override public String id() { return "preference-pairs"; }

    @Override public String description() { return "preference pairs JSONL {prompt, chosen, rejected} for reward models and DPO"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.path("path", null, "the JSONL file (relative paths: from the spec's folder, then the working folder)"),
                ParamSpec.real("held_out", 0.1, 0.0, false, 1.0, false, "share of the pairs, from the end, kept for evaluation"),
                ParamSpec.text("template", "{prompt}", "the prompt as the model sees it: {prompt} is filled in"),
                ParamSpec.bool("eos", true, "end each answer with the tokenizer's end-of-sequence token, when it has one"));
    }

    @Override public String tokenizerText(Params params, Path base) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Jsonl.Line l : read(params, base)) {
            String p = prompt(params, l);
            sb.append(p).append(l.get("chosen")).append('\n').append(p).append(l.get("rejected")).append('\n');
        }
        return sb.toString();
    }

    @Override public DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException {
        Path file = TextWindowsProvider.resolve(params, base);
        int eos = params.getBoolean("eos") ? PromptRows.eos(tokenizer) : -1;
        int[] truncated = new int[1];
        List<Pair> pairs = new ArrayList<>();
        for (Jsonl.Line l : read(params, base)) {
            String p = prompt(params, l);
            pairs.add(new Pair(PromptRows.row(tokenizer, p, l.get("chosen"), eos, context, file, l.number(), "prompt", "chosen", truncated),
                    PromptRows.row(tokenizer, p, l.get("rejected"), eos, context, file, l.number(), "prompt", "rejected", truncated)));
        }
        int held = PromptRows.heldOutCount(file, pairs.size(), params.getDouble("held_out"));
        return new Source(file, pairs.subList(0, pairs.size() - held), pairs.subList(pairs.size() - held, pairs.size()),
                PromptRows.padId(tokenizer), truncated[0]);
    }

    private static List<Jsonl.Line> read(Params params, Path base) throws IOException {
        PromptRows.checkTemplate("template", params.getString("template"), List.of("prompt"));
        Path file = TextWindowsProvider.resolve(params, base);
        List<Jsonl.Line> lines = Jsonl.read(file, List.of("prompt", "chosen", "rejected"), List.of());
        for (Jsonl.Line l : lines) {
            if (l.get("chosen").equals(l.get("rejected"))) {
                throw new IOException(file + ":" + l.number() + ": field \"rejected\" equals field \"chosen\"; a pair needs two different answers");
            }
        }
        return lines;
    }

    private static String prompt(Params params, Jsonl.Line l) {
        return PromptRows.render(params.getString("template"), Map.of("prompt", l.get("prompt")));
    }

    private record Pair(PromptRows.Row chosen, PromptRows.Row rejected) {}

    private record Source(Path file, List<Pair> train, List<Pair> held, int pad, int truncated) implements DataSource {
        @Override public Batch trainBatch(int batchSize, int context, RandomGenerator random) {
            List<Pair> rows = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) rows.add(train.get(random.nextInt(train.size())));
            return batch(rows);
        }

        @Override public Batch heldOutBatch(int index, int batchSize, int context) {
            int[] range = PromptRows.heldOutRange(index, batchSize, held.size());
            return range == null ? null : batch(held.subList(range[0], range[1]));
        }

        private Batch batch(List<Pair> pairs) {
            List<PromptRows.Row> chosen = new ArrayList<>(), rejected = new ArrayList<>();
            long tokens = 0;
            for (Pair p : pairs) {
                chosen.add(p.chosen());
                rejected.add(p.rejected());
                tokens += p.chosen().length() + p.rejected().length();
            }
            int width = Math.max(PromptRows.longest(chosen), PromptRows.longest(rejected));
            Map<String, IntTensor> fields = new LinkedHashMap<>();
            PromptRows.collate(chosen, width, pad, "chosen_", fields);
            PromptRows.collate(rejected, width, pad, "rejected_", fields);
            return new Batch(fields, tokens);
        }

        @Override public String describe() {
            return String.format(Locale.ROOT, "%s, %,d training and %,d held-out preference pairs%s", file, train.size(), held.size(),
                    truncated == 0 ? "" : String.format(Locale.ROOT, " (%,d answers cut to the context)", truncated));
        }
    }
}
