package org.ablate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ablate plot RUN... --metric NAME --out FILE.png}: curves of logged metrics over training steps, one panel
 * per metric side by side, one line per run; figures that have no steps (an {@code ablate judge} result) can be
 * drawn as dashed levels across the panels.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Plot metrics of run folders (their metrics.jsonl) over training steps into one PNG: a panel",
                "per --metric, a line per run. --held-out reads the held-out evaluations (the lines with",
                "held_out_loss), else the training steps. --level NAME=FILE adds a JSON file's values of the same",
                "metrics (e.g. an 'ablate judge' result) as a dashed horizontal line."})
final class PlotCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "0..*", description = "Run folders; a run is named by its folder, or NAME=FOLDER.")
    List<String> runs = new ArrayList<>();

    @Option(names = "--metric", required = true, paramLabel = "NAME", description = "A metric key of metrics.jsonl, e.g. judge, kl, reward, held_out_loss; repeatable.")
    List<String> metrics;

    @Option(names = "--held-out", description = "Plot the held-out evaluations instead of the training steps.")
    boolean heldOut;

    @Option(names = "--level", paramLabel = "NAME=FILE", description = "A JSON object whose values of the metrics are drawn as levels; repeatable.")
    List<String> levels = new ArrayList<>();

    @Option(names = "--title", description = "Title before each panel's metric name.")
    String title = "";

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The PNG to write.")
    Path out;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44), new Color(255, 127, 14),
            new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127)};

    @Override public Integer call() throws Exception {
        if (runs.isEmpty() && levels.isEmpty()) throw new IllegalArgumentException("give run folders to plot (and/or --level NAME=FILE)");
        OutputFile.checkFree(out, overwrite);
        Map<String, List<JsonNode>> lines = new LinkedHashMap<>();
        for (String r : runs) {
            String[] nf = named(r, "RUN");
            lines.put(nf[0], read(Path.of(nf[1]).resolve("metrics.jsonl")));
        }
        Map<String, JsonNode> lv = new LinkedHashMap<>();
        for (String l : levels) {
            String[] nf = named(l, "--level");
            Path f = Path.of(nf[1]);
            if (!Files.isRegularFile(f)) throw new IOException(f + ": no such file (--level " + l + ")");
            JsonNode node;
            try {
                node = JSON.readTree(f.toFile());
            } catch (IOException e) {
                throw new IOException(f + ": not JSON (--level expects a JSON object such as 'ablate judge' prints)");
            }
            if (node == null || !node.isObject()) throw new IOException(f + ": expected a JSON object (--level)");
            lv.put(nf[0], node);
        }
        List<BufferedImage> panels = new ArrayList<>();
        for (String m : metrics) panels.add(BitmapEncoder.getBufferedImage(panel(m, lines, lv)));
        int w = 0, h = 0;
        for (BufferedImage p : panels) { w += p.getWidth(); h = Math.max(h, p.getHeight()); }
        BufferedImage all = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0;
        for (BufferedImage p : panels) { g.drawImage(p, x, 0, null); x += p.getWidth(); }
        g.dispose();
        OutputFile.write(out, tmp -> {
            if (!javax.imageio.ImageIO.write(all, "png", tmp.toFile())) throw new IOException(out + ": this JDK has no PNG writer");
        });
        System.out.println("wrote " + out);
        return 0;
    }

    private XYChart panel(String metric, Map<String, List<JsonNode>> lines, Map<String, JsonNode> levels) {
        XYChart c = new XYChartBuilder().width(620).height(440).title((title.isBlank() ? "" : title + ": ") + metric + (heldOut ? " (held out)" : ""))
                .xAxisTitle("step").yAxisTitle(metric).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        c.getStyler().setLegendBorderColor(new Color(200, 200, 200));
        c.getStyler().setChartTitleBoxVisible(false);
        c.getStyler().setDecimalPattern("#,##0.##");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        int i = 0, plotted = 0;
        double maxStep = 0;
        for (var e : lines.entrySet()) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (JsonNode l : e.getValue()) {
                if (l.has("held_out_loss") != heldOut || !l.path(metric).isNumber()) continue;
                xs.add(l.path("step").asDouble());
                ys.add(l.path(metric).asDouble());
            }
            Color color = COLORS[i++ % COLORS.length];
            if (xs.isEmpty()) continue;
            maxStep = Math.max(maxStep, xs.getLast());
            XYSeries s = c.addSeries(e.getKey(), xs, ys);
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(new BasicStroke(2f));
            plotted++;
        }
        for (var e : levels.entrySet()) {
            Color color = COLORS[i++ % COLORS.length];
            if (!e.getValue().path(metric).isNumber()) continue;
            double y = e.getValue().path(metric).asDouble();
            XYSeries s = c.addSeries(e.getKey(), new double[] {0, Math.max(maxStep, 1)}, new double[] {y, y});
            s.setLineColor(color);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
            plotted++;
        }
        if (plotted == 0) throw new IllegalArgumentException("--metric " + metric + ": no run" + (heldOut ? "'s held-out evaluations" : "'s training steps")
                + " and no --level file has it");
        return c;
    }

    private static String[] named(String arg, String what) {
        int eq = arg.indexOf('=');
        if (eq == 0 || eq == arg.length() - 1) throw new IllegalArgumentException(what + " " + arg + ": expected NAME=PATH or PATH");
        if (eq < 0) {
            Path p = Path.of(arg).toAbsolutePath().normalize();
            return new String[] {p.getFileName() == null ? arg : p.getFileName().toString(), arg};
        }
        return new String[] {arg.substring(0, eq), arg.substring(eq + 1)};
    }

    private static List<JsonNode> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file; expected a run folder of 'ablate train'");
        List<JsonNode> out = new ArrayList<>();
        int number = 0;
        for (String line : Files.readAllLines(file)) {
            number++;
            if (line.isBlank()) continue;
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new IOException(file + ":" + number + ": not a JSON line");
            }
        }
        return out;
    }
}
