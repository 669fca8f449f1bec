package org.ablate.study;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A study's results, read from its folder alone ({@code study.json} and the run folders), so a partial study
 * reports too: per arm and metric the mean ± standard deviation over seeds, the paired difference to the
 * baseline (same seed, arm − baseline) with a 95 % Student-t interval, each expectation's verdict, and the
 * held-out loss curves. {@link #write} puts {@code report.md}, {@code summary.csv}, {@code runs.csv} and PNG
 * plots into a folder.
 */
public final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run as its folder says: status {@code finished}, {@code failed} or {@code incomplete}; metrics when finished. */
    public record RunResult(String name, String arm, long seed, String status, Map<String, Double> metrics, List<Metrics.Point> curve, String error,
                            String folder) {}

    /**
     * An expectation and what the runs say about it.
     *
     * @param notAvailable why no seed has both sides (e.g. "learned positions stop at 64 (model.max_positions)"), else {@code null}
     */
    public record Check(Expectation expectation, Stats.Summary difference, Expectation.Verdict verdict, String notAvailable) {}

    private final Path dir;
    private final JsonNode manifest;
    private final List<String> arms = new ArrayList<>();
    private final List<String> metrics = new ArrayList<>();
    private final String baseline;
    private final List<RunResult> runs = new ArrayList<>();

    private Report(Path dir, JsonNode manifest) throws IOException {
        this.dir = dir;
        this.manifest = manifest;
        for (JsonNode a : manifest.path("arms")) arms.add(a.path("name").asText());
        for (JsonNode m : manifest.path("metrics")) metrics.add(m.asText());
        baseline = manifest.path("baseline").asText();
        for (JsonNode r : manifest.path("runs")) {
            Path folder = dir.resolve(r.path("folder").asText());
            String status = status(folder);
            String arm = r.path("arm").asText();
            Path error = dir.resolve("logs").resolve(arm + "-seed-" + r.path("seed").asLong() + ".error");
            runs.add(new RunResult(r.path("name").asText(), arm, r.path("seed").asLong(), status,
                    status.equals("finished") ? Metrics.of(folder) : Map.of(), Metrics.curve(folder),
                    status.equals("failed") && Files.isRegularFile(error) ? Files.readString(error).trim() : null, r.path("folder").asText()));
        }
    }

    /** Reads a study folder. */
    public static Report read(Path studyDir) throws IOException {
        JsonNode m = StudyRunner.readManifest(studyDir);
        if (m == null || !"ablate-study".equals(m.path("format").asText())) {
            throw new IOException(studyDir + ": not a study folder (no study.json); run `ablate study STUDY.yaml --out " + studyDir + "` first");
        }
        return new Report(studyDir, m);
    }

    private static String status(Path folder) throws IOException {
        Path marker = folder.resolve("run.json");
        if (!Files.isRegularFile(marker)) return "incomplete";
        String s = JSON.readTree(marker.toFile()).path("status").asText();
        if (s.equals("finished") && Files.isRegularFile(folder.resolve("model").resolve("metrics.json"))) return "finished";
        return s.equals("failed") ? "failed" : "incomplete";
    }

    public List<RunResult> runs() { return runs; }

    /** Mean ± std of {@code metric} over the arm's finished runs that measured it. */
    public Stats.Summary summary(String arm, String metric) {
        List<Double> xs = new ArrayList<>();
        for (RunResult r : runs) {
            if (r.arm().equals(arm) && r.status().equals("finished") && r.metrics().containsKey(metric)) xs.add(r.metrics().get(metric));
        }
        return Stats.summary(xs);
    }

    /** The paired difference {@code left − right} of {@code metric} over the seeds both finished. */
    public Stats.Summary difference(String left, String right, String metric) { return difference(left, metric, right, metric); }

    /** The paired difference {@code leftArm.leftMetric − rightArm.rightMetric} over the seeds where both were measured. */
    public Stats.Summary difference(String leftArm, String leftMetric, String rightArm, String rightMetric) {
        Map<Long, Double> r = new TreeMap<>();
        for (RunResult x : runs) {
            if (x.arm().equals(rightArm) && x.status().equals("finished") && x.metrics().containsKey(rightMetric)) r.put(x.seed(), x.metrics().get(rightMetric));
        }
        List<Double> d = new ArrayList<>();
        for (RunResult x : runs) {
            if (x.arm().equals(leftArm) && x.status().equals("finished") && x.metrics().containsKey(leftMetric) && r.containsKey(x.seed())) {
                d.add(x.metrics().get(leftMetric) - r.get(x.seed()));
            }
        }
        return Stats.summary(d);
    }

    /**
     * Why {@code arm} has no value of {@code metric} though some of its runs finished (e.g. "learned positions stop at 64
     * (model.max_positions)"), or {@code null} when it has one or no run finished.
     */
    public String notAvailable(String arm, String metric) {
        for (RunResult r : runs) {
            if (!r.arm().equals(arm) || !r.status().equals("finished")) continue;
            if (r.metrics().containsKey(metric)) return null;
        }
        for (RunResult r : runs) {
            if (r.arm().equals(arm) && r.status().equals("finished")) return Metrics.missing(dir.resolve(r.folder()), metric);
        }
        return null;
    }

    /** Every expectation of the study with its verdict. */
    public List<Check> checks() {
        List<Check> out = new ArrayList<>();
        for (JsonNode t : manifest.path("expect")) {
            Expectation e = Expectation.parse(t.asText());
            Stats.Summary d = difference(e.leftArm(), e.leftMetric(), e.rightArm(), e.rightMetric());
            out.add(new Check(e, d, e.judge(d.lo(), d.hi()),
                    d.n() > 0 ? null : firstNonNull(notAvailable(e.leftArm(), e.leftMetric()), notAvailable(e.rightArm(), e.rightMetric()))));
        }
        return out;
    }

    /** Writes {@code report.md}, {@code summary.csv}, {@code runs.csv}, {@code loss-curves.png} and one bar chart per metric into {@code out}. */
    public List<Path> write(Path out) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        Files.createDirectories(out);
        List<Path> files = new ArrayList<>();
        files.add(Files.writeString(out.resolve("report.md"), markdown()));
        files.add(Files.writeString(out.resolve("summary.csv"), summaryCsv()));
        files.add(Files.writeString(out.resolve("runs.csv"), runsCsv()));
        files.add(save(curves(), out.resolve("loss-curves.png")));
        for (String m : metrics) files.add(save(bars(m), out.resolve(barsFile(m))));
        XYChart byContext = byContext();
        if (byContext != null) files.add(save(byContext, out.resolve("loss-by-context.png")));
        return files;
    }

    /** The bar chart's file of a metric; {@code loss@4x} becomes {@code loss-at-4x-bars.png}. */
    static String barsFile(String metric) { return metric.replace("@", "-at-") + "-bars.png"; }

    /** The study's metrics of the form {@code loss@Kx} by factor K, with {@code loss} as 1x; empty when it has none but loss. */
    private TreeMap<Integer, String> contextFactors() {
        TreeMap<Integer, String> out = new TreeMap<>();
        for (String m : metrics) {
            java.util.regex.Matcher x = java.util.regex.Pattern.compile("loss@([0-9]+)x").matcher(m);
            if (x.matches()) out.put(Integer.parseInt(x.group(1)), m);
        }
        if (out.isEmpty()) return out;
        out.putIfAbsent(1, "loss");
        return out;
    }

    // --- text -----------------------------------------------------------------------------------------

    String markdown() {
        StringBuilder s = new StringBuilder();
        long finished = runs.stream().filter(r -> r.status().equals("finished")).count();
        long failed = runs.stream().filter(r -> r.status().equals("failed")).count();
        s.append("# ").append(manifest.path("name").asText()).append("\n\n");
        s.append(String.format(Locale.ROOT, "Study file `%s`; baseline **%s**; seeds %s; %d of %d runs finished%s. Executor: %s.%n%n",
                Path.of(manifest.path("study_file").asText()).getFileName(), baseline, join(manifest.path("seeds")), finished, runs.size(),
                failed > 0 ? ", " + failed + " failed" : "", manifest.path("executor").asText()));
        if (manifest.path("common").size() > 0) s.append("Every arm: `").append(String.join("`, `", texts(manifest.path("common")))).append("`.\n\n");
        s.append("| arm | overrides | parameters | forward FLOPs/token |\n|---|---|---:|---:|\n");
        for (JsonNode a : manifest.path("arms")) {
            List<String> o = texts(a.path("overrides"));
            s.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d |%n", a.path("name").asText(), o.isEmpty() ? "(base)" : "`" + String.join("`, `", o) + "`",
                    a.path("parameters").asLong(), a.path("flops_per_token").asLong()));
        }
        if (manifest.has("parameter_warning")) s.append("\n").append(manifest.path("parameter_warning").asText()).append("\n");

        s.append("\n## Results\n\nMean ± standard deviation over seeds; n = finished runs.\n\n| arm | n |");
        for (String m : metrics) s.append(' ').append(m).append(" |");
        s.append("\n|---|---:|").append("---:|".repeat(metrics.size())).append('\n');
        for (String a : arms) {
            s.append("| ").append(a).append(" | ").append(summary(a, metrics.getFirst()).n()).append(" |");
            for (String m : metrics) {
                Stats.Summary x = summary(a, m);
                String na = x.n() == 0 ? notAvailable(a, m) : null;
                s.append(' ').append(na != null ? "n/a: " + na : fmt(x.mean()) + (x.n() > 1 ? " ± " + fmt(x.std()) : "")).append(" |");
            }
            s.append('\n');
        }

        s.append("\n## Difference to the baseline\n\nPaired by seed (arm − ").append(baseline)
                .append("); mean difference and its 95 % Student-t interval.\n\n| arm | metric | pairs | difference | 95 % interval |\n|---|---|---:|---:|---|\n");
        for (String a : arms) {
            if (a.equals(baseline)) continue;
            for (String m : metrics) {
                Stats.Summary d = difference(a, baseline, m);
                String na = d.n() == 0 ? firstNonNull(notAvailable(a, m), notAvailable(baseline, m)) : null;
                s.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s |%n", a, m, d.n(), na != null ? "n/a" : fmt(d.mean()), na != null ? "n/a: " + na : interval(d)));
            }
        }

        List<Check> checks = checks();
        if (!checks.isEmpty()) {
            s.append("\n## Expectations\n\nAgrees when the 95 % interval of the paired difference (left − right) lies on the claimed side of 0, "
                    + "disagrees when it lies on the other side, inconclusive when it spans 0.\n\n| expectation | pairs | difference | 95 % interval | verdict |\n|---|---:|---:|---|---|\n");
            for (Check c : checks) {
                Expectation e = c.expectation();
                String na = c.notAvailable();
                s.append(String.format(Locale.ROOT, "| `%s` | %d | %s | %s | **%s** |%n", e.text(), c.difference().n(),
                        fmt(c.difference().mean()), na != null ? "n/a: " + na : interval(c.difference()), na != null ? "not measurable" : c.verdict()));
            }
        }
        List<RunResult> bad = runs.stream().filter(r -> !r.status().equals("finished")).toList();
        if (!bad.isEmpty()) {
            s.append("\n## Runs not finished\n\n");
            for (RunResult r : bad) s.append("- ").append(r.name()).append(": ").append(r.status()).append(r.error() == null ? "" : " — " + r.error()).append('\n');
        }
        s.append("\n## Plots\n\n![held-out loss by step](loss-curves.png)\n\n");
        if (contextFactors().size() > 1) {
            s.append("![held-out loss by evaluation context](loss-by-context.png)\n\nHeld-out loss by evaluation context: the mean over seeds, "
                    + "the band spanning the lowest and highest seed; an arm without a value at a context (n/a above) has no point there.\n\n");
        }
        for (String m : metrics) s.append("![").append(m).append(" by arm](").append(barsFile(m)).append(")\n");
        s.append("\nHeld-out loss curves: the mean over seeds, the band spanning the lowest and highest seed. Bars: the mean with its 95 % t-interval.\n");
        return s.toString();
    }

    String summaryCsv() {
        StringBuilder s = new StringBuilder("arm,metric,n,mean,std,ci95_lo,ci95_hi,pairs,diff_to_baseline,diff_ci95_lo,diff_ci95_hi,not_available\n");
        for (String a : arms) {
            for (String m : metrics) {
                Stats.Summary x = summary(a, m);
                Stats.Summary d = a.equals(baseline) ? new Stats.Summary(0, Double.NaN, Double.NaN) : difference(a, baseline, m);
                s.append(String.join(",", a, m, Integer.toString(x.n()), num(x.mean()), num(x.std()), num(x.lo()), num(x.hi()),
                        Integer.toString(d.n()), num(d.mean()), num(d.lo()), num(d.hi()), csv(x.n() == 0 ? notAvailable(a, m) : null))).append('\n');
            }
        }
        return s.toString();
    }

    String runsCsv() {
        StringBuilder s = new StringBuilder("run,arm,seed,status");
        List<String> columns = new ArrayList<>(Metrics.NAMES.keySet());
        for (String m : metrics) if (!columns.contains(m)) columns.add(m);
        for (String m : columns) s.append(',').append(m);
        s.append('\n');
        for (RunResult r : runs) {
            s.append(r.name()).append(',').append(r.arm()).append(',').append(r.seed()).append(',').append(r.status());
            for (String m : columns) s.append(',').append(num(r.metrics().getOrDefault(m, Double.NaN)));
            s.append('\n');
        }
        return s.toString();
    }

    private static String interval(Stats.Summary d) {
        return d.n() < 2 ? "(needs 2 pairs)" : "[" + fmt(d.lo()) + ", " + fmt(d.hi()) + "]";
    }

    private static String fmt(double x) {
        if (Double.isNaN(x)) return "–";
        return Math.abs(x) >= 1000 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.4f", x);
    }

    private static String num(double x) { return Double.isNaN(x) ? "" : Double.toString(x); }

    private static String firstNonNull(String a, String b) { return a != null ? a : b; }

    private static String csv(String text) { return text == null ? "" : "\"" + text.replace("\"", "\"\"") + "\""; }

    private static List<String> texts(JsonNode list) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : list) out.add(n.asText());
        return out;
    }

    private static String join(JsonNode list) { return String.join(", ", texts(list)); }

    // --- plots ----------------------------------------------------------------------------------------

    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44), new Color(255, 127, 14),
            new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127)};

    private XYChart curves() {
        XYChart c = new XYChartBuilder().width(900).height(560).title(manifest.path("name").asText() + ": held-out loss")
                .xAxisTitle("step").yAxisTitle("held-out loss").build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        int plotted = 0;
        for (int i = 0; i < arms.size(); i++) {
            String a = arms.get(i);
            Map<Integer, List<Double>> byStep = new TreeMap<>();
            for (RunResult r : runs) {
                if (!r.arm().equals(a) || !r.status().equals("finished")) continue;
                for (Metrics.Point p : r.curve()) byStep.computeIfAbsent(p.step(), k -> new ArrayList<>()).add(p.loss());
            }
            if (byStep.isEmpty()) continue;
            int n = byStep.size();
            double[] x = new double[n], mean = new double[n], lo = new double[n], hi = new double[n];
            int k = 0;
            for (var e : byStep.entrySet()) {
                x[k] = e.getKey();
                mean[k] = e.getValue().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                lo[k] = e.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                hi[k] = e.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                k++;
            }
            Color color = COLORS[i % COLORS.length];
            double[] bx = new double[2 * n], by = new double[2 * n];
            for (int j = 0; j < n; j++) {
                bx[j] = x[j]; by[j] = hi[j];
                bx[2 * n - 1 - j] = x[j]; by[2 * n - 1 - j] = lo[j];
            }
            plotted++;
            band(c, a, bx, by, color, 60);
            line(c, a + " (n=" + summary(a, "loss").n() + ")", x, mean, color);
        }
        if (plotted == 0) c.addSeries("no finished run", new double[] {0}, new double[] {0});
        return c;
    }

    /** An arm's seed range as a shaded polygon (x forward along the top, back along the bottom), not in the legend. */
    private static void band(XYChart c, String arm, double[] bx, double[] by, Color color, int alpha) {
        XYSeries band = c.addSeries(arm + " (seed range)", bx, by);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), alpha));
        band.setLineColor(new Color(0, 0, 0, 0));
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
    }

    /** An arm's mean as a line with round markers. */
    private static void line(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries line = c.addSeries(name, x, y);
        line.setLineColor(color);
        line.setMarkerColor(color);
        line.setMarker(SeriesMarkers.CIRCLE);
        line.setLineStyle(new BasicStroke(2f));
    }

    /** Each arm's held-out loss against the evaluation context (as a multiple of the training context); null without such metrics. */
    private XYChart byContext() {
        TreeMap<Integer, String> factors = contextFactors();
        if (factors.size() < 2) return null;
        XYChart c = new XYChartBuilder().width(800).height(520).title("held-out loss by evaluation context (trained at 1x)")
                .xAxisTitle("evaluation context (times the training context, log scale)").yAxisTitle("held-out loss").build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        // log2 of the factor on a linear axis, labelled at the powers of two (XChart's log axis labels only decades).
        c.getStyler().setXAxisTickLabelsFormattingFunction(v -> Math.abs(v - Math.rint(v)) < 1e-9 && v >= 0 ? (1L << Math.round(v)) + "x" : "");
        int plotted = 0;
        for (int i = 0; i < arms.size(); i++) {
            String a = arms.get(i);
            List<double[]> points = new ArrayList<>();
            for (var f : factors.entrySet()) {
                List<Double> xs = new ArrayList<>();
                for (RunResult r : runs) {
                    if (r.arm().equals(a) && r.status().equals("finished") && r.metrics().containsKey(f.getValue())) xs.add(r.metrics().get(f.getValue()));
                }
                if (xs.isEmpty()) continue;
                points.add(new double[] {Math.log(f.getKey()) / Math.log(2), xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
                        xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), xs.stream().mapToDouble(Double::doubleValue).max().orElseThrow()});
            }
            if (points.isEmpty()) continue;
            int n = points.size();
            double[] x = new double[n], mean = new double[n], bx = new double[2 * n], by = new double[2 * n];
            for (int j = 0; j < n; j++) {
                x[j] = points.get(j)[0];
                mean[j] = points.get(j)[1];
                bx[j] = x[j]; by[j] = points.get(j)[3];
                bx[2 * n - 1 - j] = x[j]; by[2 * n - 1 - j] = points.get(j)[2];
            }
            Color color = COLORS[i % COLORS.length];
            if (n > 1) band(c, a, bx, by, color, 50);
            line(c, a, x, mean, color);
            plotted++;
        }
        return plotted == 0 ? null : c;
    }

    private CategoryChart bars(String metric) {
        CategoryChart c = new CategoryChartBuilder().width(700).height(460).title(manifest.path("name").asText() + ": " + metric + " (mean, 95 % interval)")
                .xAxisTitle("arm").yAxisTitle(metric).build();
        style(c.getStyler());
        c.getStyler().setLegendVisible(false);
        List<String> names = new ArrayList<>();
        List<Double> means = new ArrayList<>(), errors = new ArrayList<>();
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (String a : arms) {
            Stats.Summary x = summary(a, metric);
            if (x.n() == 0) continue;
            double h = Double.isNaN(x.halfWidth95()) ? 0 : x.halfWidth95();
            names.add(a);
            means.add(x.mean());
            errors.add(h);
            min = Math.min(min, x.mean() - h);
            max = Math.max(max, x.mean() + h);
        }
        if (names.isEmpty()) {
            names.add("no finished run");
            means.add(0.0);
            errors.add(0.0);
            min = 0;
            max = 1;
        }
        // Bars of a loss start near the smallest value, not at 0, so differences of a few percent stay visible.
        double pad = 0.15 * Math.max(max - min, 1e-9);
        if (min > 0 && min - pad > 0 && (max - min) < 0.5 * min) {
            c.getStyler().setYAxisMin(min - pad);
        }
        c.getStyler().setYAxisMax(max + pad);
        c.addSeries(metric, names, means, errors).setFillColor(COLORS[0]);
        c.getStyler().setErrorBarsColor(Color.BLACK);
        return c;
    }

    private static void style(org.knowm.xchart.style.AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setLegendBorderColor(new Color(200, 200, 200));
        s.setChartTitleBoxVisible(false);
        s.setDecimalPattern("#,##0.###");
    }

    private static Path save(org.knowm.xchart.internal.chartpart.IChart chart, Path file) throws IOException {
        // XChart renders; the JDK's ImageIO writes the PNG (XChart 4 deprecates its own encoders).
        if (!javax.imageio.ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile())) {
            throw new IOException(file + ": this JDK has no PNG writer");
        }
        return file;
    }

    /** The study folder this report reads. */
    public Path folder() { return dir; }

    /** The report's arms, the baseline among them, in the study's order. */
    public List<String> arms() { return List.copyOf(arms); }

    /** Per arm, the metrics' summaries (for callers that print them). */
    public Map<String, Map<String, Stats.Summary>> table() {
        Map<String, Map<String, Stats.Summary>> t = new LinkedHashMap<>();
        for (String a : arms) {
            Map<String, Stats.Summary> row = new LinkedHashMap<>();
            for (String m : metrics) row.put(m, summary(a, m));
            t.put(a, row);
        }
        return t;
    }
}
