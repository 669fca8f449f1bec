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

/** What a finished run folder measured, read from its files ({@code model/metrics.json}, {@code metrics.jsonl}). */
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

    private Metrics() {}

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
        return out;
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
