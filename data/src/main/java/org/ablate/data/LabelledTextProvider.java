package org.ablate.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.ablate.api.ApiVersion;
import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.DataSourceProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;

/**
 * Labelled texts for sequence classification: a UTF-8 TSV file with one example per line,
 * {@code label<TAB>text}, where the text may hold {@code \t}, {@code \n}, {@code \r} and {@code \\}
 * escapes (so a text with tabs or line breaks stays on one line) and an optional first line
 * {@code label<TAB>text} is a header. {@code labels} names the classes in id order; a line with another
 * label, without a tab or with an empty text is refused with its file and line. Rows carry the
 * tokenizer's special tokens and are padded per batch (see {@link Rows}); {@code labels} is one class id
 * per row. The held-out share is a fixed random subset of the lines (the same for every run, whatever its
 * seed), so a file sorted by label still gives a held-out set with every class.
 */
public final class LabelledTextProvider implements DataSourceProvider {
    /** The seed of the held-out split: fixed, so every run of a study is scored on the same lines. */
    private static final long SPLIT_SEED = 0x5EED_1ABEL;

    @Override public String id() { return "labelled-text"; }

    @Override public String description() { return "labelled texts (TSV: label<TAB>text) for sequence classification, in padded batches"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.path("path", null, "the TSV file (relative paths: from the spec's folder, then the working folder)"),
                ParamSpec.text("labels", null, "the class names in id order, comma-separated, e.g. \"ham,spam\""),
                ParamSpec.real("held_out", 0.1, 0.0, true, 1.0, true, "share of the lines, a fixed random subset, kept for evaluation (1 = evaluation only)"),
                ParamSpec.choice("overflow", "refuse", Rows.OVERFLOW, "a text longer than run.context: refuse it, or truncate it to the context"),
                ParamSpec.bool("group_by_length", false, "draw each training batch from texts of similar length, so less of it is padding"));
    }

    /** The class names of {@code data.labels}, in id order. */
    static List<String> labels(Params params) {
        List<String> names = new ArrayList<>();
        for (String s : params.getString("labels").split(",", -1)) {
            String n = s.strip();
            if (n.isEmpty()) throw new IllegalArgumentException("data.labels: an empty class name in \"" + params.getString("labels") + "\"; expected names separated by commas");
            if (names.contains(n)) throw new IllegalArgumentException("data.labels: \"" + n + "\" is listed twice");
            names.add(n);
        }
        if (names.size() < 2) throw new IllegalArgumentException("data.labels: expected at least two class names, got \"" + params.getString("labels") + "\"");
        return names;
    }

    @Override public String tokenizerText(Params params, Path base) throws IOException {
        Path file = DataFiles.resolve(params, base);
        StringBuilder sb = new StringBuilder();
        for (Example e : read(file, labels(params))) sb.append(e.text()).append('\n');
        return sb.toString();
    }

    /** One line of the file. */
    record Example(int line, int label, String text) {}

    static List<Example> read(Path file, List<String> labels) throws IOException {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) ids.put(labels.get(i), i);
        String[] lines = Text.read(file).split("\n", -1);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            int n = i + 1;
            if (line.isBlank()) continue;
            if (i == 0 && line.equals("label\ttext")) continue;
            int tab = line.indexOf('\t');
            if (tab < 0) throw new IOException(file + ":" + n + ": expected label<TAB>text, found no tab");
            String label = line.substring(0, tab);
            Integer id = ids.get(label);
            if (id == null) {
                throw new IOException(file + ":" + n + ": unknown label \"" + abbreviate(label) + "\"; data.labels lists " + String.join(", ", labels));
            }
            String text = unescape(line.substring(tab + 1), file, n);
            if (text.isBlank()) throw new IOException(file + ":" + n + ": the text is empty");
            out.add(new Example(n, id, text));
        }
        if (out.isEmpty()) throw new IOException(file + ": no labelled line; expected label<TAB>text per line");
        return out;
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 40) + "..." : s; }

    private static String unescape(String s, Path file, int line) throws IOException {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') { sb.append(c); continue; }
            if (i + 1 == s.length()) throw new IOException(file + ":" + line + ": a lone backslash at the end of the text; write \\\\ for a backslash");
            char e = s.charAt(++i);
            switch (e) {
                case 't' -> sb.append('\t');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case '\\' -> sb.append('\\');
                default -> throw new IOException(file + ":" + line + ": unknown escape \\" + e + " in the text; expected \\t, \\n, \\r or \\\\");
            }
        }
        return sb.toString();
    }

    @Override public DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException {
        Path file = DataFiles.resolve(params, base);
        List<String> labels = labels(params);
        List<Example> examples = read(file, labels);
        boolean truncate = params.getString("overflow").equals("truncate");
        int n = examples.size();
        Rows.Row[] rows = new Rows.Row[n];
        for (int i = 0; i < n; i++) rows[i] = Rows.encode(tokenizer, examples.get(i).text(), context, truncate, file, examples.get(i).line());
        // A fixed permutation; its tail is held out, kept in file order so evaluation reads the file from top to bottom.
        Integer[] perm = new Integer[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom r = new SplittableRandom(SPLIT_SEED);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Integer t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        int held = (int) Math.round(n * params.getDouble("held_out"));
        boolean[] isHeld = new boolean[n];
        for (int i = n - held; i < n; i++) isHeld[perm[i]] = true;
        List<Rows.Row> train = new ArrayList<>(), test = new ArrayList<>();
        List<Integer> trainY = new ArrayList<>(), testY = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (isHeld[i] ? test : train).add(rows[i]);
            (isHeld[i] ? testY : trainY).add(examples.get(i).label());
        }
        LengthGroups groups = params.getBoolean("group_by_length") && !train.isEmpty()
                ? new LengthGroups(train.stream().mapToInt(t -> t.ids().length).toArray()) : null;
        return new Labelled(file, labels, train, trainY.stream().mapToInt(Integer::intValue).toArray(), test,
                testY.stream().mapToInt(Integer::intValue).toArray(), Rows.padId(tokenizer), groups);
    }

    private record Labelled(Path file, List<String> labels, List<Rows.Row> train, int[] trainY, List<Rows.Row> held, int[] heldY, int pad,
                            LengthGroups groups) implements DataSource {
        @Override public Batch trainBatch(int batchSize, int context, RandomGenerator random) {
            if (train.isEmpty()) throw new IllegalStateException(file + ": every line is held out (data.held_out is 1); nothing to train on");
            List<Rows.Row> pick = new ArrayList<>(batchSize);
            int[] y = new int[batchSize];
            int[] grouped = groups == null ? null : groups.sample(batchSize, random);
            for (int i = 0; i < batchSize; i++) {
                int k = grouped != null ? grouped[i] : random.nextInt(train.size());
                pick.add(train.get(k));
                y[i] = trainY[k];
            }
            return Rows.collate(pick, y, pad);
        }

        @Override public Batch heldOutBatch(int index, int batchSize, int context) {
            int first = index * batchSize;
            if (first >= held.size()) return null;
            int end = Math.min(held.size(), first + batchSize);
            return Rows.collate(held.subList(first, end), Arrays.copyOfRange(heldY, first, end), pad);
        }

        @Override public String describe() {
            int[] counts = new int[labels.size()];
            for (int y : trainY) counts[y]++;
            StringBuilder per = new StringBuilder();
            for (int i = 0; i < counts.length; i++) per.append(i == 0 ? "" : ", ").append(labels.get(i)).append(' ').append(counts[i]);
            return String.format(Locale.ROOT, "%s, %,d training lines (%s) and %,d held-out lines", file, train.size(), per, held.size());
        }
    }
}
