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
 * Supervised fine-tuning data: JSON Lines of {@code {instruction, input, output}} (Alpaca's format; {@code input}
 * may be absent or empty). Each record becomes a prompt rendered with the spec's template and a response
 * (the output, ended with the tokenizer's end-of-sequence token); labels count the response only, so
 * {@code objective: {id: next-token}} trains on response tokens alone. Gives {@code input_ids},
 * {@code attention_mask} and {@code labels}, padded on the right. The last {@code held_out} share of the
 * records is kept for evaluation.
 */
public final class InstructionsProvider implements DataSourceProvider {
    static final String TEMPLATE = "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n";
    static final String TEMPLATE_NO_INPUT = "### Instruction:\n{instruction}\n\n### Response:\n";

    @Override public String id() { return "instructions"; }

    @Override public String description() { return "instruction tuning JSONL {instruction, input, output}, loss on the response only (Ouyang et al. 2022)"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.path("path", null, "the JSONL file (relative paths: from the spec's folder, then the working folder)"),
                ParamSpec.real("held_out", 0.1, 0.0, false, 1.0, false, "share of the records, from the end, kept for evaluation"),
                ParamSpec.text("template", TEMPLATE, "the prompt of a record with an input: {instruction} and {input} are filled in"),
                ParamSpec.text("template_no_input", TEMPLATE_NO_INPUT, "the prompt of a record whose input is empty: {instruction} is filled in"),
                ParamSpec.bool("eos", true, "end each response with the tokenizer's end-of-sequence token, when it has one"),
                ParamSpec.bool("group_by_length", false, "draw each training batch from records of similar length, so less of it is padding"));
    }

    @Override public String tokenizerText(Params params, Path base) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Jsonl.Line l : read(params, base)) sb.append(prompt(params, l)).append(l.get("output")).append('\n');
        return sb.toString();
    }

    @Override public DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException {
        Path file = TextWindowsProvider.resolve(params, base);
        List<Jsonl.Line> lines = read(params, base);
        int eos = params.getBoolean("eos") ? PromptRows.eos(tokenizer) : -1;
        int[] truncated = new int[1];
        List<PromptRows.Row> rows = new ArrayList<>();
        for (Jsonl.Line l : lines) {
            String field = l.get("input").isEmpty() ? "instruction" : "instruction and input";
            rows.add(PromptRows.row(tokenizer, prompt(params, l), l.get("output"), eos, context, file, l.number(), field, "output", truncated));
        }
        int held = PromptRows.heldOutCount(file, rows.size(), params.getDouble("held_out"));
        List<PromptRows.Row> train = rows.subList(0, rows.size() - held);
        LengthGroups groups = params.getBoolean("group_by_length")
                ? new LengthGroups(train.stream().mapToInt(PromptRows.Row::length).toArray()) : null;
        return new Source(file, train, rows.subList(rows.size() - held, rows.size()), PromptRows.padId(tokenizer), truncated[0], groups);
    }

    private static List<Jsonl.Line> read(Params params, Path base) throws IOException {
        PromptRows.checkTemplate("template", params.getString("template"), List.of("instruction", "input"));
        PromptRows.checkTemplate("template_no_input", params.getString("template_no_input"), List.of("instruction"));
        return Jsonl.read(TextWindowsProvider.resolve(params, base), List.of("instruction", "output"), List.of("input"));
    }

    private static String prompt(Params params, Jsonl.Line l) {
        boolean noInput = l.get("input").isEmpty();
        return PromptRows.render(params.getString(noInput ? "template_no_input" : "template"),
                Map.of("instruction", l.get("instruction"), "input", l.get("input")));
    }

    private record Source(Path file, List<PromptRows.Row> train, List<PromptRows.Row> held, int pad, int truncated, LengthGroups groups)
            implements DataSource {
        @Override public Batch trainBatch(int batchSize, int context, RandomGenerator random) {
            if (groups != null) {
                List<PromptRows.Row> rows = new java.util.ArrayList<>(batchSize);
                for (int k : groups.sample(batchSize, random)) rows.add(train.get(k));
                return batch(rows);
            }
            return batch(PromptRows.sample(train, batchSize, random));
        }

        @Override public Batch heldOutBatch(int index, int batchSize, int context) {
            int[] range = PromptRows.heldOutRange(index, batchSize, held.size());
            return range == null ? null : batch(held.subList(range[0], range[1]));
        }

        private Batch batch(List<PromptRows.Row> rows) {
            Map<String, IntTensor> fields = new LinkedHashMap<>();
            PromptRows.collate(rows, PromptRows.longest(rows), pad, "", fields);
            long tokens = 0;
            for (PromptRows.Row r : rows) tokens += r.length();
            return new Batch(fields, tokens);
        }

        @Override public String describe() {
            return String.format(Locale.ROOT, "%s, %,d training and %,d held-out instructions%s", file, train.size(), held.size(),
                    truncated == 0 ? "" : String.format(Locale.ROOT, " (%,d responses cut to the context)", truncated));
        }
    }
}
