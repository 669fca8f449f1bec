package org.ablate.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.IntTensor;

/**
 * Sentence pairs for sequence-to-sequence training: a UTF-8 file with one {@code source<TAB>target} pair
 * per line, the last {@code held_out} share of the pairs kept for evaluation. Each side is tokenized
 * alone and ends with the tokenizer's EOS (when it has one). Batches are padded to their longest row and
 * carry Hugging Face's fields: {@code input_ids} and {@code attention_mask} (source), {@code labels} (target,
 * {@link Batch#IGNORE} at padding), and for teacher forcing {@code decoder_input_ids} (the labels shifted
 * right behind the decoder start token: the tokenizer's BOS, else its PAD, as Marian and T5 do) with
 * {@code decoder_attention_mask}. A side longer than {@code run.context} is refused naming its line, or
 * cut to fit (keeping EOS) with {@code too_long: truncate}.
 */
public final class ParallelTextProvider implements DataSourceProvider {
    @Override public String id() { return "parallel-text"; }

    @Override public String description() { return "sentence pairs, source<TAB>target per line, for sequence-to-sequence training"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.path("path", null, "the TSV file (relative paths: from the spec's folder, then the working folder)"),
                ParamSpec.real("held_out", 0.1, 0.0, false, 1.0, false, "share of the pairs, from the end of the file, kept for evaluation"),
                ParamSpec.choice("too_long", "refuse", List.of("refuse", "truncate"),
                        "a side longer than run.context tokens: refuse naming its line, or truncate it (keeping EOS)"),
                ParamSpec.bool("group_by_length", false, "draw each training batch from pairs of similar length, so less of it is padding"));
    }

    /** The decoder's first input: BOS, else PAD (Marian's convention); shared by training and generation. */
    static int decoderStart(SpecialTokens sp) { return sp.has(sp.bos()) ? sp.bos() : sp.has(sp.pad()) ? sp.pad() : 0; }

    @Override public String tokenizerText(Params params, Path base) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String[] p : read(resolve(params, base))) sb.append(p[0]).append('\n').append(p[1]).append('\n');
        return sb.toString();
    }

    @Override public DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException {
        Path file = resolve(params, base);
        List<String[]> pairs = read(file);
        boolean truncate = params.getString("too_long").equals("truncate");
        SpecialTokens sp = tokenizer.specialTokens();
        int eos = sp.eos();
        int[][] src = new int[pairs.size()][], tgt = new int[pairs.size()][];
        int cut = 0;
        for (int i = 0; i < pairs.size(); i++) {
            String[] p = pairs.get(i);
            int line = Integer.parseInt(p[2]);
            int[] s = tokenizer.encode(p[0]), t = tokenizer.encode(p[1]);
            src[i] = side(s, eos, context, truncate, file, line, "source");
            tgt[i] = side(t, eos, context, truncate, file, line, "target");
            int e = eos >= 0 ? 1 : 0;
            if (src[i].length < s.length + e || tgt[i].length < t.length + e) cut++;
        }
        int train = (int) Math.round(pairs.size() * (1 - params.getDouble("held_out")));
        if (train < 1 || train >= pairs.size()) {
            throw new IOException(file + ": " + pairs.size() + " pairs give " + train + " for training and " + (pairs.size() - train)
                    + " held out; need at least one of each (more pairs or another data.held_out)");
        }
        int pad = sp.has(sp.pad()) ? sp.pad() : 0;
        LengthGroups groups = null;
        if (params.getBoolean("group_by_length")) {
            int[] lengths = new int[train];
            for (int i = 0; i < train; i++) lengths[i] = Math.max(src[i].length, tgt[i].length);
            groups = new LengthGroups(lengths);
        }
        return new Pairs(file, src, tgt, train, pad, decoderStart(sp), truncate ? cut : 0, groups);
    }

    /** A side's ids followed by EOS, checked against the longest row a batch may have. */
    private static int[] side(int[] ids, int eos, int context, boolean truncate, Path file, int line, String which) throws IOException {
        int[] out = eos >= 0 ? Arrays.copyOf(ids, ids.length + 1) : ids;
        if (eos >= 0) out[ids.length] = eos;
        if (out.length == (eos >= 0 ? 1 : 0)) throw new IOException(file + ":" + line + ": the " + which + " side tokenizes to nothing");
        if (out.length <= context) return out;
        if (!truncate) {
            throw new IOException(file + ":" + line + ": the " + which + " side has " + out.length + " tokens" + (eos >= 0 ? " with EOS" : "")
                    + ", more than run.context " + context + "; raise run.context (up to model.max_positions), shorten the line, "
                    + "or set data.too_long: truncate");
        }
        int[] t = Arrays.copyOf(out, context);
        if (eos >= 0) t[context - 1] = eos;
        return t;
    }

    /** The pairs of the file as {source, target, line number}; a line without both sides fails naming it. */
    static List<String[]> read(Path file) throws IOException {
        String text = Text.read(file);
        List<String[]> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        int last = lines.length;
        while (last > 0 && lines[last - 1].isEmpty()) last--; // trailing newlines
        for (int i = 0; i < last; i++) {
            String l = lines[i];
            int line = i + 1;
            int tab = l.indexOf('\t');
            if (tab < 0) {
                throw new IOException(file + ":" + line + ": " + (l.isBlank() ? "an empty line" : "no tab")
                        + "; expected source<TAB>target");
            }
            if (l.indexOf('\t', tab + 1) >= 0) throw new IOException(file + ":" + line + ": more than one tab; expected source<TAB>target");
            String s = l.substring(0, tab).strip(), t = l.substring(tab + 1).strip();
            if (s.isEmpty()) throw new IOException(file + ":" + line + ": the source side (before the tab) is empty");
            if (t.isEmpty()) throw new IOException(file + ":" + line + ": the target side (after the tab) is empty");
            out.add(new String[] {s, t, Integer.toString(line)});
        }
        if (out.isEmpty()) throw new IOException(file + ": holds no pairs; expected lines of source<TAB>target");
        return out;
    }

    private static Path resolve(Params params, Path base) {
        Path p = Path.of(params.getString("path"));
        if (p.isAbsolute() || base == null) return p;
        Path near = base.resolve(p);
        return Files.exists(near) ? near : p;
    }

    private record Pairs(Path file, int[][] src, int[][] tgt, int train, int pad, int start, int truncated, LengthGroups groups)
            implements DataSource {
        @Override public Batch trainBatch(int batchSize, int context, RandomGenerator random) {
            if (groups != null) return batch(groups.sample(batchSize, random), context);
            int[] rows = new int[batchSize];
            for (int b = 0; b < batchSize; b++) rows[b] = random.nextInt(train);
            return batch(rows, context);
        }

        @Override public Batch heldOutBatch(int index, int batchSize, int context) {
            int first = train + index * batchSize;
            if (first >= src.length) return null;
            int[] rows = new int[Math.min(batchSize, src.length - first)];
            for (int b = 0; b < rows.length; b++) rows[b] = first + b;
            return batch(rows, context);
        }

        /** Rows padded to the batch's longest source and target. */
        private Batch batch(int[] rows, int context) {
            int n = rows.length, ls = 0, lt = 0;
            for (int r : rows) {
                ls = Math.max(ls, src[r].length);
                lt = Math.max(lt, tgt[r].length);
            }
            if (Math.max(ls, lt) > context) { // open() checked every pair against the context the run asked for
                throw new IllegalArgumentException(file + ": a batch of context " + context + " asked for, but the pairs were checked against a longer one; "
                        + "open the source with the run's context");
            }
            int[] ids = new int[n * ls], mask = new int[n * ls], labels = new int[n * lt], dec = new int[n * lt], decMask = new int[n * lt];
            Arrays.fill(ids, pad);
            Arrays.fill(labels, Batch.IGNORE);
            Arrays.fill(dec, pad);
            long tokens = 0;
            for (int b = 0; b < n; b++) {
                int[] s = src[rows[b]], t = tgt[rows[b]];
                System.arraycopy(s, 0, ids, b * ls, s.length);
                Arrays.fill(mask, b * ls, b * ls + s.length, 1);
                System.arraycopy(t, 0, labels, b * lt, t.length);
                // Teacher forcing: the decoder reads the start token and then the target, one position behind the labels.
                dec[b * lt] = start;
                System.arraycopy(t, 0, dec, b * lt + 1, t.length - 1);
                Arrays.fill(decMask, b * lt, b * lt + t.length, 1);
                tokens += s.length + t.length;
            }
            return new Batch(Map.of("input_ids", IntTensor.of(ids, n, ls), "attention_mask", IntTensor.of(mask, n, ls),
                    "decoder_input_ids", IntTensor.of(dec, n, lt), "decoder_attention_mask", IntTensor.of(decMask, n, lt),
                    "labels", IntTensor.of(labels, n, lt)), tokens);
        }

        @Override public String describe() {
            long s = 0, t = 0;
            for (int[] x : src) s += x.length;
            for (int[] x : tgt) t += x.length;
            return String.format(Locale.ROOT, "%s, %,d training and %,d held-out pairs, %,d source and %,d target tokens%s", file, train,
                    src.length - train, s, t, truncated > 0 ? ", " + truncated + " pairs truncated" : "")
                    + (groups != null ? ", batches grouped by length" : "");
        }
    }
}
