package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.models.config.ConfigException;

/** Losses at other contexts as study metrics ({@code loss@256}, {@code loss@4x}): names, expectations, and reports where an arm lacks them. */
class ContextMetricsTest {
    @TempDir Path dir;

    @Test void metricNamesAndTheirContexts() {
        assertTrue(Metrics.known("loss@4x") && Metrics.known("loss@256") && Metrics.known("loss"));
        assertFalse(Metrics.known("loss@0x") || Metrics.known("loss@") || Metrics.known("perplexity@2x") || Metrics.known("loss@2y"));
        assertEquals(256, Metrics.context("loss@4x", 64));
        assertEquals(100, Metrics.context("loss@100", 64));
        assertEquals(-1, Metrics.context("loss", 64));
        Expectation e = Expectation.parse("alibi.loss@4x < alibi.loss");
        assertEquals(List.of("alibi", "loss@4x", "alibi", "loss"), List.of(e.leftArm(), e.leftMetric(), e.rightArm(), e.rightMetric()));
        assertEquals("rope.v2", Expectation.parse("rope.v2.loss@512 > alibi.loss@512").leftArm());
    }

    @Test void studyFilesTakeContextMetricsAndRefuseMixedPairs() throws IOException {
        Path f = TestStudies.write(dir, TestStudies.STUDY.replace("metrics: [loss, perplexity]", "metrics: [loss, loss@2x]")
                .replace("expect: [\"alibi.loss < rope.loss\"]", "expect: [\"alibi.loss@2x < rope.loss@2x\", \"alibi.loss@4x < alibi.loss\"]"));
        StudySpec s = Study.load(f, TestStudies.REGISTRY).spec();
        assertEquals(List.of("loss", "loss@2x", "loss@4x"), s.metrics(), "an expectation's metric is reported too");

        Path bad = TestStudies.write(dir, TestStudies.STUDY.replace("alibi.loss < rope.loss", "alibi.loss@2x < rope.loss"));
        String m = assertThrows(ConfigException.class, () -> Study.load(bad, TestStudies.REGISTRY)).getMessage();
        assertTrue(m.contains("expect.0: compares loss@2x with loss across arms"), m);
        Path self = TestStudies.write(dir, TestStudies.STUDY.replace("alibi.loss < rope.loss", "alibi.loss@2x < alibi.loss@2x"));
        m = assertThrows(ConfigException.class, () -> Study.load(self, TestStudies.REGISTRY)).getMessage();
        assertTrue(m.contains("expect.0: compares alibi.loss@2x with itself"), m);
        Path unknown = TestStudies.write(dir, TestStudies.STUDY.replace("metrics: [loss, perplexity]", "metrics: [loss@two]"));
        m = assertThrows(ConfigException.class, () -> Study.load(unknown, TestStudies.REGISTRY)).getMessage();
        assertTrue(m.contains("metrics.0: unknown metric") && m.contains("loss@Nx"), m);
    }

    /**
     * Arms "sin" (the baseline) and "ali" evaluated at 16 (1x), 32 and 64; "lrn" with 16 positions, so only at 1x; seeds 0, 1, 2.
     * Losses by hand: at 64, sin = 3.0, 3.2, 3.1 and ali = 2.0, 2.1, 2.05.
     */
    private Path study() throws IOException {
        String[] arms = {"sin", "ali", "lrn"};
        double[][] at1 = {{2.5, 2.6, 2.55}, {2.2, 2.3, 2.25}, {2.4, 2.5, 2.45}};
        double[][] at4 = {{3.0, 3.2, 3.1}, {2.0, 2.1, 2.05}};
        StringBuilder runs = new StringBuilder();
        for (int a = 0; a < arms.length; a++) {
            for (int s = 0; s < 3; s++) {
                if (runs.length() > 0) runs.append(",\n");
                String folder = "runs/" + arms[a] + "/seed-" + s;
                runs.append("{\"name\": \"" + arms[a] + "/seed-" + s + "\", \"arm\": \"" + arms[a] + "\", \"seed\": " + s + ", \"folder\": \"" + folder + "\"}");
                Path run = dir.resolve(folder);
                Path model = Files.createDirectories(run.resolve("model"));
                Files.writeString(run.resolve("run.json"), "{\"status\": \"finished\"}");
                boolean learned = arms[a].equals("lrn");
                Files.writeString(run.resolve("spec.yaml"), "model: {max_positions: " + (learned ? 16 : 64) + ", positional: {id: "
                        + (learned ? "learned" : "rope") + "}}\nrun: {context: 16}\n");
                double l = at1[a][s];
                String byContext = learned ? "" : ", \"held_out_loss_by_context\": {\"16\": " + l + ", \"32\": " + (l + at4[a][s]) / 2 + ", \"64\": " + at4[a][s] + "}";
                Files.writeString(model.resolve("metrics.json"), "{\"final_held_out_loss\": " + l + ", \"final_perplexity\": " + Math.exp(l)
                        + ", \"tokens_per_second\": 1000, \"train_losses\": [3, " + l + "]" + byContext + "}");
                Files.writeString(run.resolve("metrics.jsonl"), "{\"held_out_loss\": 4.0, \"step\": 0}\n{\"held_out_loss\": " + l + ", \"step\": 10}\n");
            }
        }
        Files.writeString(dir.resolve("study.json"), """
                {"format": "ablate-study", "name": "contexts", "study_file": "/x/contexts.yaml", "baseline": "sin", "executor": "local",
                 "arms": [{"name": "sin", "overrides": [], "parameters": 100, "flops_per_token": 200},
                          {"name": "ali", "overrides": ["a=1"], "parameters": 100, "flops_per_token": 200},
                          {"name": "lrn", "overrides": ["a=2"], "parameters": 100, "flops_per_token": 200}],
                 "common": [], "seeds": [0, 1, 2], "metrics": ["loss", "loss@2x", "loss@4x", "loss@64"],
                 "expect": ["ali.loss@4x < sin.loss@4x", "ali.loss@4x < ali.loss", "lrn.loss@2x > lrn.loss"],
                 "runs": [%s]}
                """.formatted(runs));
        return dir;
    }

    @Test void aMetricAnArmCannotHaveIsReportedNotAvailableWithItsReason() throws IOException {
        Report r = Report.read(study());
        assertEquals(3.1, r.summary("sin", "loss@4x").mean(), 1e-12);
        assertEquals(3.1, r.summary("sin", "loss@64").mean(), 1e-12, "loss@64 and loss@4x are one measurement at context 64");
        assertEquals(2.55, r.summary("sin", "loss@1x").mean(), 1e-12, "1x is the loss");
        assertEquals(0, r.summary("lrn", "loss@4x").n());
        assertEquals(2.45, r.summary("lrn", "loss").mean(), 1e-12);
        assertEquals("learned positions stop at 16 (model.max_positions)", r.notAvailable("lrn", "loss@2x"));
        assertNull(r.notAvailable("ali", "loss@2x"));

        // ali − sin at 4x: [-1.0, -1.1, -1.05]; ali at 4x − ali at 1x: [-0.2, -0.2, -0.2].
        Stats.Summary d = r.difference("ali", "sin", "loss@4x");
        assertEquals(-1.05, d.mean(), 1e-12);
        assertEquals(0.05, d.std(), 1e-12);
        assertEquals(-0.2, r.difference("ali", "loss@4x", "ali", "loss").mean(), 1e-12);
        List<Report.Check> checks = r.checks();
        assertEquals(List.of("agrees", "agrees", "inconclusive"), checks.stream().map(c -> c.verdict().toString()).toList());
        assertEquals("learned positions stop at 16 (model.max_positions)", checks.get(2).notAvailable());

        r.write(dir.resolve("report"));
        String md = Files.readString(dir.resolve("report/report.md"));
        assertTrue(md.contains("| lrn | 3 | 2.4500 ± 0.0500 | n/a: learned positions stop at 16 (model.max_positions) |"), md);
        assertTrue(md.contains("| `lrn.loss@2x > lrn.loss` | 0 | – | n/a: learned positions stop at 16 (model.max_positions) | **not measurable** |"), md);
        assertTrue(md.contains("| `ali.loss@4x < sin.loss@4x` | 3 | -1.0500 |"), md);
        assertTrue(md.contains("| lrn | loss@4x | 0 | n/a | n/a: learned positions stop at 16 (model.max_positions) |"), md);
        String lrn = Files.readAllLines(dir.resolve("report/summary.csv")).stream().filter(l -> l.startsWith("lrn,loss@2x,")).findFirst().orElseThrow();
        assertTrue(lrn.startsWith("lrn,loss@2x,0,") && lrn.endsWith(",\"learned positions stop at 16 (model.max_positions)\""), lrn);
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        for (String p : List.of("loss-by-context.png", "loss-at-4x-bars.png")) {
            assertArrayEquals(png, Arrays.copyOf(Files.readAllBytes(dir.resolve("report").resolve(p)), 4), p);
        }
        Map<String, Double> ali0 = Metrics.of(dir.resolve("runs/ali/seed-0"));
        assertEquals(2.1, ali0.get("loss@32"), 1e-12);
        assertEquals(ali0.get("loss@32"), ali0.get("loss@2x"));
    }
}
