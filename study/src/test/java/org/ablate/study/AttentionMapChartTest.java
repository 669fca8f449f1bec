package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Color;
import java.awt.Point;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionMapChartTest {
    @TempDir Path dir;

    @Test void everyCellOfEveryPanelShowsItsWeight() throws Exception {
        List<String> tokens = List.of("the", "·cat", "·sat");
        List<AttentionMapChart.Panel> panels = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            float[][] w = new float[3][3];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j <= i; j++) w[i][j] = (j + 1 + p) / (float) (i + 1 + p) / (i + 1);
            }
            panels.add(new AttentionMapChart.Panel("layer " + p / 3 + " · head " + p % 3, w));
        }
        AttentionMapChart chart = new AttentionMapChart(tokens, panels, 3, "test");
        assertEquals(2, chart.rows());
        Path file = chart.write(dir.resolve("sub/maps.png"));
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(chart.width(), img.getWidth());
        assertEquals(chart.height(), img.getHeight());
        for (int p = 0; p < panels.size(); p++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    Point c = chart.cellCenter(p, i, j);
                    Color expected = AttentionMapChart.colour(panels.get(p).weights()[i][j]);
                    assertEquals(expected.getRGB(), img.getRGB(c.x, c.y), "panel " + p + " cell " + i + "," + j);
                }
            }
        }
    }

    @Test void scaleRunsFromPaleToDarkAndLabelsShowWhitespace() {
        Color zero = AttentionMapChart.colour(0), one = AttentionMapChart.colour(1);
        assertEquals(new Color(247, 251, 255), zero);
        assertEquals(new Color(8, 48, 107), one);
        assertEquals(AttentionMapChart.colour(1), AttentionMapChart.colour(3));
        assertEquals("·the\\n", AttentionMapChart.label(" the\n"));
        assertEquals("∅", AttentionMapChart.label(""));
    }

    @Test void panelsMustMatchTheTokens() {
        var panel = new AttentionMapChart.Panel("p", new float[2][2]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AttentionMapChart(List.of("a", "b", "c"), List.of(panel), 1, "t"));
        assertEquals("attention map 'p': 2 rows for 3 tokens", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AttentionMapChart.Panel("q", new float[2][3]));
    }
}
