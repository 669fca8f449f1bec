package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Point;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.study.AttentionMapChart;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ablate attention}: the PNG's panels hold the model's own probabilities; bad input gets one line. */
class AttentionCommandTest {
    private static final String PROMPT = "the cat sat";

    private static Tokenizer tokenizer() {
        return ExportCommandTest.REGISTRY.tokenizer("char").train("the cat sat on the mat",
                ExportCommandTest.REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
    }

    @Test void writesOnePanelPerChosenLayerAndHeadWithTheModelsWeights(@TempDir Path dir) throws Exception {
        Tokenizer tok = tokenizer();
        Model m = ExportCommandTest.model(tok.vocabSize(), "alibi");
        Checkpoint.save(dir.resolve("run"), m, tok, Map.of());
        Path png = dir.resolve("maps/alibi.png");
        MainTest.Result r = MainTest.run("attention", dir.resolve("run").toString(), "--prompt", PROMPT, "--out", png.toString(),
                "--layers", "1", "--heads", "0,2-3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 layer(s) x 3 head(s), 11 tokens"), r.out());

        int[] ids = tok.encode(PROMPT);
        float[] probs = m.attentionProbabilities(ids).get(1).toArray();
        int n = ids.length;
        int[] heads = {0, 2, 3};
        List<AttentionMapChart.Panel> panels = new ArrayList<>();
        for (int h : heads) panels.add(new AttentionMapChart.Panel("h" + h, new float[n][n]));
        AttentionMapChart layout = new AttentionMapChart(AttentionCommand.tokens(tok, ids), panels, 3, "");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(layout.width(), img.getWidth());
        assertEquals(layout.height(), img.getHeight());
        for (int p = 0; p < heads.length; p++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float w = probs[(heads[p] * n + i) * n + j];
                    if (j > i) assertEquals(0f, w);
                    Point c = layout.cellCenter(p, i, j);
                    assertEquals(AttentionMapChart.colour(w).getRGB(), img.getRGB(c.x, c.y), "head " + heads[p] + " cell " + i + "," + j);
                }
            }
        }
        assertEquals(List.of("t", "h", "e", "·", "c"), AttentionCommand.tokens(tok, ids).subList(0, 5));
    }

    @Test void badInputGetsOneLine(@TempDir Path dir) throws Exception {
        Tokenizer tok = tokenizer();
        Checkpoint.save(dir.resolve("run"), ExportCommandTest.model(tok.vocabSize(), "rope"), tok, Map.of());
        String run = dir.resolve("run").toString(), out = dir.resolve("a.png").toString();
        assertError("ablate attention: give the text to look at with --prompt TEXT", "attention", run, "--out", out);
        assertError("ablate attention: --prompt is 17 tokens but the model takes at most 16 (max_positions); shorten it",
                "attention", run, "--prompt", "the cat sat on th", "--out", out);
        assertError("ablate attention: --layers 2: '2' is outside the model's 2 layers (counted from 0: 0-1)",
                "attention", run, "--prompt", PROMPT, "--out", out, "--layers", "2");
        assertError("ablate attention: --heads 1,x: 'x' is not an index or a range like 1-3",
                "attention", run, "--prompt", PROMPT, "--out", out, "--heads", "1,x");
        assertError("ablate attention: --heads 3-1: '3-1' is outside the model's 4 heads (counted from 0: 0-3)",
                "attention", run, "--prompt", PROMPT, "--out", out, "--heads", "3-1");
        assertError("ablate attention: --out " + dir.resolve("a.jpg") + ": the picture is a PNG; name a file ending in .png",
                "attention", run, "--prompt", PROMPT, "--out", dir.resolve("a.jpg").toString());
        assertFalse(Files.exists(dir.resolve("a.png")), "nothing written");
        // An existing file is kept unless --overwrite: the refusal comes before any work, and the file is untouched.
        Files.writeString(dir.resolve("a.png"), "someone's picture");
        assertError("ablate attention: --out " + out + ": already exists; pass --overwrite to replace it",
                "attention", run, "--prompt", PROMPT, "--out", out);
        assertEquals("someone's picture", Files.readString(dir.resolve("a.png")));
        assertEquals(0, MainTest.run("attention", run, "--prompt", PROMPT, "--out", out, "--overwrite").code());
        assertTrue(ImageIO.read(dir.resolve("a.png").toFile()).getWidth() > 0, "replaced by the PNG");
    }

    @Test void anEncoderOnlyModelShowsBidirectionalWeights(@TempDir Path dir) throws Exception {
        Tokenizer tok = tokenizer();
        String yaml = """
                architecture: encoder-only
                layers: 1
                d_model: 8
                heads: 2
                d_ff: 16
                max_positions: 16
                norm: {id: layer-norm, placement: post}
                attention: {id: multi-head}
                feed_forward: {id: mlp, activation: gelu}
                positional: {id: learned}
                tokenizer: {id: char}
                output_heads: {mlm_head: {id: masked-lm}}
                """ + "vocab_size: " + tok.vocabSize() + "\n";
        var reg = ExportCommandTest.REGISTRY;
        Model m = new org.ablate.models.assembly.ModelBuilder(reg).build(new org.ablate.models.config.ConfigLoader(reg).parse("enc.yaml", yaml, true), 3, null);
        Checkpoint.save(dir.resolve("enc"), m, tok, Map.of());
        MainTest.Result r = MainTest.run("attention", dir.resolve("enc").toString(), "--prompt", "sat", "--out", dir.resolve("e.png").toString());
        assertEquals(0, r.code(), r.err());
        Tensor p = m.attentionProbabilities(tok.encode("sat")).get(0);
        assertTrue(p.toArray()[2] > 0, "the first token attends to the last");
    }

    private static void assertError(String expected, String... args) {
        MainTest.Result r = MainTest.run(args);
        assertEquals(1, r.code(), r.out());
        assertEquals(expected, r.err().strip());
    }
}
