package org.ablate.study;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A grid of attention heat maps, one panel per (layer, head): rows are queries, columns keys, both labelled with
 * the prompt's tokens, each cell coloured by its weight on one fixed scale from 0 to 1 (so panels compare). Drawn
 * with Java2D because a chart library's heat map puts numeric ticks, not one text label per cell, on its axes.
 */
public final class AttentionMapChart {
    /** One heat map: {@code weights[query][key]}, square, entries in [0, 1]. */
    public record Panel(String title, float[][] weights) {
        public Panel {
            if (weights.length == 0) throw new IllegalArgumentException("attention map '" + title + "': no rows");
            for (float[] r : weights) {
                if (r.length != weights.length) throw new IllegalArgumentException("attention map '" + title + "': not square");
            }
        }
    }

    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 12);
    private static final int GAP = 16, TITLE_H = 22, HEADER_H = 30, SCALE_H = 44;
    // matplotlib's "Blues", sampled at 0, 1/4, 1/2, 3/4 and 1
    private static final int[][] STOPS = {{247, 251, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}};

    private final List<String> tokens;
    private final List<Panel> panels;
    private final int columns;
    private final String title;
    private final int cell;
    private final int labelW;

    /**
     * @param tokens  the prompt's tokens as shown on both axes (one per row and column of every panel)
     * @param panels  in reading order, {@code columns} per row of the grid
     * @param columns panels per grid row (e.g. the number of heads shown)
     * @param title   printed above the grid
     */
    public AttentionMapChart(List<String> tokens, List<Panel> panels, int columns, String title) {
        if (panels.isEmpty()) throw new IllegalArgumentException("attention maps: no panels");
        if (columns < 1) throw new IllegalArgumentException("attention maps: columns must be at least 1, got " + columns);
        for (Panel p : panels) {
            if (p.weights().length != tokens.size()) {
                throw new IllegalArgumentException("attention map '" + p.title() + "': " + p.weights().length + " rows for " + tokens.size() + " tokens");
            }
        }
        this.tokens = List.copyOf(tokens);
        this.panels = List.copyOf(panels);
        this.columns = Math.min(columns, panels.size());
        this.title = title;
        this.cell = Math.max(10, Math.min(28, 360 / tokens.size()));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = probe.createGraphics();
        FontMetrics fm = g.getFontMetrics(LABEL);
        int w = 0;
        for (String t : this.tokens) w = Math.max(w, fm.stringWidth(t));
        g.dispose();
        this.labelW = Math.min(w, 160) + 8;
    }

    /** Grid rows of panels. */
    public int rows() { return (panels.size() + columns - 1) / columns; }

    private int panelW() { return labelW + tokens.size() * cell + GAP; }

    private int panelH() { return TITLE_H + labelW + tokens.size() * cell + GAP; }

    /** Width of the image in pixels. */
    public int width() { return GAP + columns * panelW(); }

    /** Height of the image in pixels. */
    public int height() { return HEADER_H + rows() * panelH() + SCALE_H; }

    /** The centre pixel of the cell (query, key) in panel {@code index}, for reading an image back. */
    public Point cellCenter(int index, int query, int key) {
        int x0 = GAP + (index % columns) * panelW() + labelW, y0 = HEADER_H + (index / columns) * panelH() + TITLE_H + labelW;
        return new Point(x0 + key * cell + cell / 2, y0 + query * cell + cell / 2);
    }

    /** The colour of a weight in [0, 1] (clamped), interpolated through the scale's stops. */
    public static Color colour(double weight) {
        double t = Math.max(0, Math.min(1, weight)) * (STOPS.length - 1);
        int i = Math.min((int) t, STOPS.length - 2);
        double f = t - i;
        int[] a = STOPS[i], b = STOPS[i + 1];
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    /** Draws the grid. */
    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        g.drawString(title, GAP, HEADER_H - 10);
        int n = tokens.size();
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            Point origin = cellCenter(p, 0, 0);
            int x0 = origin.x - cell / 2, y0 = origin.y - cell / 2;
            g.setFont(TITLE);
            g.setColor(Color.BLACK);
            g.drawString(panel.title(), x0, y0 - labelW - 8);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    g.setColor(colour(panel.weights()[i][j]));
                    g.fillRect(x0 + j * cell, y0 + i * cell, cell, cell);
                }
            }
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1f));
            g.drawRect(x0 - 1, y0 - 1, n * cell + 1, n * cell + 1);
            labels(g, x0, y0);
        }
        scale(g);
        g.dispose();
        return img;
    }

    /** Query tokens right-aligned left of the rows; key tokens upright, reading bottom to top, above the columns. */
    private void labels(Graphics2D g, int x0, int y0) {
        g.setFont(LABEL);
        g.setColor(Color.DARK_GRAY);
        FontMetrics fm = g.getFontMetrics();
        int baseline = (cell + fm.getAscent() - fm.getDescent()) / 2;
        for (int i = 0; i < tokens.size(); i++) {
            String t = clip(tokens.get(i), fm);
            g.drawString(t, x0 - 4 - fm.stringWidth(t), y0 + i * cell + baseline);
        }
        AffineTransform saved = g.getTransform();
        for (int j = 0; j < tokens.size(); j++) {
            String t = clip(tokens.get(j), fm);
            g.setTransform(saved);
            g.translate(x0 + j * cell + baseline, y0 - 4);
            g.rotate(-Math.PI / 2);
            g.drawString(t, 0, 0);
        }
        g.setTransform(saved);
    }

    private String clip(String t, FontMetrics fm) {
        if (fm.stringWidth(t) <= labelW - 8) return t;
        String s = t;
        while (!s.isEmpty() && fm.stringWidth(s + "…") > labelW - 8) s = s.substring(0, s.length() - 1);
        return s + "…";
    }

    private void scale(Graphics2D g) {
        int x0 = GAP, y0 = height() - SCALE_H + 8, w = Math.min(240, width() - 2 * GAP);
        for (int x = 0; x < w; x++) {
            g.setColor(colour(x / (double) (w - 1)));
            g.fillRect(x0 + x, y0, 1, 12);
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(LABEL);
        g.drawString("0", x0, y0 + 26);
        g.drawString("1", x0 + w - 6, y0 + 26);
        g.drawString("attention weight (rows: queries, columns: keys)", x0 + w + 10, y0 + 11);
    }

    /** Renders and writes the PNG, creating its folder. */
    public Path write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        if (!ImageIO.write(render(), "png", file.toFile())) throw new IOException(file + ": this JDK has no PNG writer");
        return file;
    }

    /** A token as a label: whitespace made visible, control characters escaped. */
    public static String label(String token) {
        StringBuilder sb = new StringBuilder();
        token.codePoints().forEach(c -> {
            switch (c) {
                case ' ' -> sb.append('·');
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (Character.isISOControl(c)) sb.append(String.format(Locale.ROOT, "\\x%02x", c));
                    else sb.appendCodePoint(c);
                }
            }
        });
        return sb.isEmpty() ? "∅" : sb.toString();
    }
}
