package org.ablate.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.ablate.api.ApiVersion;
import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.DataSourceProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;

/**
 * A UTF-8 text file with one example per line (blank lines skipped), for masked-LM pretraining: each line
 * becomes one row with the tokenizer's special tokens, batches are padded to their longest row with an
 * attention mask (see {@link Rows}). The last {@code held_out} share of the lines is kept for evaluation.
 * Gives {@code input_ids}, {@code attention_mask} and {@code token_type_ids}; the objective makes its labels.
 */
public final class TextLinesProvider implements DataSourceProvider {
    @Override public String id() { return "text-lines"; }

    @Override public String description() { return "a UTF-8 text file, one example per line, in padded variable-length batches"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.path("path", null, "the text file (relative paths: from the spec's folder, then the working folder)"),
                ParamSpec.real("held_out", 0.1, 0.0, true, 1.0, true, "share of the lines, from the end, kept for evaluation (1 = evaluation only)"),
                ParamSpec.choice("overflow", "refuse", Rows.OVERFLOW, "a line longer than run.context: refuse it, or truncate it to the context"));
    }

    @Override public String tokenizerText(Params params, Path base) throws IOException {
        return Text.read(DataFiles.resolve(params, base));
    }

    @Override public DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException {
        Path file = DataFiles.resolve(params, base);
        String[] lines = Text.read(file).split("\n", -1);
        boolean truncate = params.getString("overflow").equals("truncate");
        List<Rows.Row> rows = new ArrayList<>();
        int cut = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank()) continue;
            Rows.Row r = Rows.encode(tokenizer, line, context, truncate, file, i + 1);
            rows.add(r);
        }
        if (rows.isEmpty()) throw new IOException(file + ": no line of text; expected one example per line");
        int held = (int) Math.round(rows.size() * params.getDouble("held_out"));
        return new Lines(file, rows.subList(0, rows.size() - held), rows.subList(rows.size() - held, rows.size()), Rows.padId(tokenizer));
    }

    private record Lines(Path file, List<Rows.Row> train, List<Rows.Row> held, int pad) implements DataSource {
        @Override public Batch trainBatch(int batchSize, int context, RandomGenerator random) {
            if (train.isEmpty()) throw new IllegalStateException(file + ": every line is held out (data.held_out is 1); nothing to train on");
            List<Rows.Row> pick = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) pick.add(train.get(random.nextInt(train.size())));
            return Rows.collate(pick, null, pad);
        }

        @Override public Batch heldOutBatch(int index, int batchSize, int context) {
            int first = index * batchSize;
            if (first >= held.size()) return null;
            return Rows.collate(held.subList(first, Math.min(held.size(), first + batchSize)), null, pad);
        }

        @Override public String describe() {
            return String.format(Locale.ROOT, "%s, %,d training and %,d held-out lines", file, train.size(), held.size());
        }
    }
}
