package org.ablate.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a finished run folder measured, read from its files ({@code model/metrics.json}, {@code metrics.jsonl},
 * {@code spec.yaml}). A run whose spec has {@code run.eval_contexts} also has {@code loss@N} for each context N and
 * {@code loss@Kx} where N is K times its training context ({@code loss@1x} being {@code loss}); other runs lack them.
 */
public final class Metrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The metrics a study may report, with what each one is. */
    public static final Map<String, String> NAMES;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("loss", "held-out loss after the last step");
        m.put("perplexity", "held-out perplexity after the last step");
        m.put("best_loss", "lowest held-out loss of any evaluation");
        m.put("train_loss", "mean training loss over the last tenth of the steps");
        m.put("tokens_per_second", "training throughput");
        NAMES = java.util.Collections.unmodifiableMap(m);
    }

    /** A loss at another context: {@code loss@256} (tokens) or {@code loss@4x} (times the run's training context). */
    private static final java.util.regex.Pattern AT_CONTEXT = java.util.regex.Pattern.compile("loss@([1-9][0-9]{0,6})(x?)");

    private Metrics() {}

    /** Whether {@code name} is a metric: one of {@link #NAMES}, or {@code loss@N} / {@code loss@Nx}. */
    public static boolean known(String name) {
        return NAMES.containsKey(name) || AT_CONTEXT.matcher(name).matches();
    }

    /** The names a message lists as the choices. */
    public static String choices() {
        return String.join(", ", NAMES.keySet()) + ", loss@N (held-out loss at context N, from run.eval_contexts), loss@Nx (at N times the training context)";
    }

    /**
     * The context in tokens a {@code loss@...} metric is measured at in a run trained at {@code trainingContext};
     * -1 for any other metric.
     */
    public static int context(String name, int trainingContext) {
        java.util.regex.Matcher m = AT_CONTEXT.matcher(name);
        if (!m.matches()) return -1;
        long n = Long.parseLong(m.group(1));
        return (int) Math.min(Integer.MAX_VALUE, m.group(2).isEmpty() ? n : n * trainingContext);
    }

    /**
     * Why a finished run folder has no value for {@code name}: the context is past its model's positions, or its spec
     * did not ask for it in {@code run.eval_contexts}.
     */
    public static String missing(Path run, String name) {
        JsonNode spec;
        try {
            spec = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(run.resolve("spec.yaml").toFile());
        } catch (IOException e) {
            return "no spec.yaml in " + run;
        }
        int trained = spec.path("run").path("context").asInt(), max = spec.path("model").path("max_positions").asInt(Integer.MAX_VALUE);
        int c = context(name, trained);
        if (c < 0) return "not measured";
        if (c > max) return spec.path("model").path("positional").path("id").asText("the model's") + " positions stop at " + max + " (model.max_positions)";
        return "not evaluated at context " + c + " (not in run.eval_contexts)";
    }

    /** One held-out evaluation. */
    public record Point(int step, double loss) {}

    /** The held-out loss curve of a run folder (from {@code metrics.jsonl}), in step order. */
    public static List<Point> curve(Path run) throws IOException {
        List<Point> out = new ArrayList<>();
        Path file = run.resolve("metrics.jsonl");
        if (!Files.isRegularFile(file)) return out;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                continue; // a line cut by a kill
            }
            if (n.has("held_out_loss")) out.add(new Point(n.path("step").asInt(), n.path("held_out_loss").asDouble()));
        }
        return out;
    }

    /** Every metric of {@link #NAMES} for a finished run folder. */
    public static Map<String, Double> of(Path run) throws IOException {
        JsonNode m = JSON.readTree(run.resolve("model").resolve("metrics.json").toFile());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", m.path("final_held_out_loss").asDouble(Double.NaN));
        out.put("perplexity", m.path("final_perplexity").asDouble(Double.NaN));
        double best = Double.NaN;
        for (Point p : curve(run)) best = Double.isNaN(best) ? p.loss() : Math.min(best, p.loss());
        out.put("best_loss", best);
        JsonNode losses = m.path("train_losses");
        int n = losses.size(), tail = Math.max(1, n / 10);
        double sum = 0;
        for (int i = n - tail; i < n; i++) sum += losses.get(i).asDouble();
        out.put("train_loss", n == 0 ? Double.NaN : sum / tail);
        out.put("tokens_per_second", m.path("tokens_per_second").asDouble(Double.NaN));
        // Losses at other contexts, by tokens and, where a whole multiple of the training context, by factor.
        // loss@1x is loss: the evaluations at other contexts score the same windows at the training context.
        int trained = trainingContext(run);
        if (trained > 0) {
            out.put("loss@" + trained, out.get("loss"));
            out.put("loss@1x", out.get("loss"));
        }
        JsonNode byContext = m.path("held_out_loss_by_context");
        if (byContext.isObject()) {
            for (var e : byContext.properties()) {
                int c = Integer.parseInt(e.getKey());
                double v = e.getValue().asDouble(Double.NaN);
                out.put("loss@" + c, v);
                if (trained > 0 && c % trained == 0) out.put("loss@" + (c / trained) + "x", v);
            }
        }
        return out;
    }

    /** The run's {@code run.context} from its {@code spec.yaml}; 0 when unreadable. */
    private static int trainingContext(Path run) {
        try {
            return new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(run.resolve("spec.yaml").toFile())
                    .path("run").path("context").asInt(0);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The step the run last logged (from the tail of {@code metrics.jsonl}), 0 when none; for progress lines. */
    public static int lastStep(Path run) {
        Path file = run.resolve("metrics.jsonl");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 512);
            byte[] tail = new byte[n];
            f.seek(len - n);
            f.readFully(tail);
            String[] lines = new String(tail, java.nio.charset.StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                int at = lines[i].indexOf("\"step\":");
                if (at < 0) continue;
                int end = at + 7;
                while (end < lines[i].length() && Character.isDigit(lines[i].charAt(end))) end++;
                if (end > at + 7) return Integer.parseInt(lines[i].substring(at + 7, end));
            }
        } catch (IOException | RuntimeException e) {
            // no file yet, or a line being written
        }
        return 0;
    }
}
