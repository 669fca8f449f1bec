package org.ablate.data;

import java.io.IOException;
import java.nio.file.Path;
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
 * A plain UTF-8 text file for language modelling: tokenized whole, the last {@code held_out} share (by
 * characters) kept for evaluation ({@code held_out: 1} makes the whole file evaluation data). Training batches are windows of {@code context + 1} tokens at random
 * starts; held-out batches are the non-overlapping windows in order. Gives {@code input_ids} and
 * {@code labels} (the inputs shifted by one).
 */
public final class TextWindowsProvider implements DataSourceProvider {
    @Override public String id() { return "text-windows"; }

    @Override public String description() { return "a UTF-8 text file cut into next-token windows, with a held-out tail"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.path("path", null, "the text file (relative paths: from the spec's folder, then the working folder)"),
                ParamSpec.real("held_out", 0.1, 0.0, false, 1.0, true, "share of the text, from its end, kept for evaluation (1 = evaluation only)"));
    }

    @Override public String tokenizerText(Params params, Path base) throws IOException {
        return Text.read(resolve(params, base));
    }

    @Override public DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException {
        Path file = resolve(params, base);
        String text = Text.read(file);
        double heldOut = params.getDouble("held_out");
        int cut = (int) Math.round(text.length() * (1 - heldOut));
        if (cut > 0 && cut < text.length() && Character.isLowSurrogate(text.charAt(cut))) cut--; // never split a surrogate pair
        int[] train = tokenizer.encode(text.substring(0, cut));
        int[] held = tokenizer.encode(text.substring(cut));
        int need = context + 2;
        boolean evaluationOnly = heldOut == 1.0;
        if ((!evaluationOnly && train.length < need) || held.length < need) {
            throw new IOException(file + ": too short for context " + context + ": " + train.length + " training and " + held.length
                    + " held-out tokens, need at least " + need + " each (a longer text, a smaller run.context or another data.held_out)");
        }
        return new Windows(file, train, held);
    }

    static Path resolve(Params params, Path base) {
        Path p = Path.of(params.getString("path"));
        if (p.isAbsolute() || base == null) return p;
        Path near = base.resolve(p);
        return java.nio.file.Files.exists(near) ? near : p;
    }

    private record Windows(Path file, int[] train, int[] held) implements DataSource {
        @Override public Batch trainBatch(int batchSize, int context, RandomGenerator random) {
            if (train.length == 0) throw new IllegalStateException(file + ": all of the text is held out (data.held_out is 1); nothing to train on");
            int[] in = new int[batchSize * context], out = new int[batchSize * context];
            int starts = train.length - context;
            for (int b = 0; b < batchSize; b++) {
                int s = random.nextInt(starts);
                System.arraycopy(train, s, in, b * context, context);
                System.arraycopy(train, s + 1, out, b * context, context);
            }
            return batch(in, out, batchSize, context);
        }

        @Override public Batch heldOutBatch(int index, int batchSize, int context) {
            int windows = (held.length - 1) / context;
            int first = index * batchSize;
            if (first >= windows) return null;
            int rows = Math.min(batchSize, windows - first);
            int[] in = new int[rows * context], out = new int[rows * context];
            for (int b = 0; b < rows; b++) {
                int s = (first + b) * context;
                System.arraycopy(held, s, in, b * context, context);
                System.arraycopy(held, s + 1, out, b * context, context);
            }
            return batch(in, out, rows, context);
        }

        private static Batch batch(int[] in, int[] out, int rows, int context) {
            return new Batch(Map.of("input_ids", IntTensor.of(in, rows, context), "labels", IntTensor.of(out, rows, context)),
                    (long) rows * context);
        }

        @Override public int[] trainingTokens() { return train.clone(); }

        @Override public String describe() {
            return String.format(Locale.ROOT, "%s, %,d training and %,d held-out tokens", file, train.length, held.length);
        }
    }
}
