package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Report statistics against values computed by hand, on a study folder written by hand. */
class ReportTest {
    @TempDir Path dir;

    @Test void studentTQuantilesMatchTheTables() {
        // Two-sided 95 % factors from any t table.
        double[][] table = {{1, 12.7062047}, {2, 4.30265273}, {3, 3.18244631}, {4, 2.77644511}, {9, 2.26215716}, {30, 2.04227246}, {1000, 1.96233908}};
        for (double[] row : table) assertEquals(row[1], Stats.tQuantile975((int) row[0]), 1e-6, "df " + (int) row[0]);
        assertEquals(0.5, Stats.tCdf(0, 3), 1e-12);
        assertEquals(0.75, Stats.tCdf(1, 1), 1e-12, "Cauchy: 1/2 + atan(1)/pi");
    }

    @Test void summaryIsTheSampleMeanAndStandardDeviation() {
        Stats.Summary s = Stats.summary(List.of(2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0));
        assertEquals(5.0, s.mean(), 1e-12);
        assertEquals(Math.sqrt(32.0 / 7), s.std(), 1e-12);
        assertEquals(2.36462425 * Math.sqrt(32.0 / 7) / Math.sqrt(8), s.halfWidth95(), 1e-7);
        assertTrue(Double.isNaN(Stats.summary(List.of(1.0)).halfWidth95()), "one value has no interval");
    }

    /** Baseline "base" and arms "better", "worse", "same" over seeds 0, 1, 2 with chosen final losses. */
    private Path study() throws IOException {
        double[][] loss = {{2.0, 2.2, 2.1}, {1.8, 2.1, 1.9}, {2.3, 2.4, 2.35}, {2.05, 2.15, 2.12}};
        String[] arms = {"base", "better", "worse", "same"};
        StringBuilder runs = new StringBuilder();
        for (int a = 0; a < arms.length; a++) {
            for (int s = 0; s < 3; s++) {
                if (runs.length() > 0) runs.append(",\n");
                String folder = "runs/" + arms[a] + "/seed-" + s;
                runs.append("{\"name\": \"" + arms[a] + "/seed-" + s + "\", \"arm\": \"" + arms[a] + "\", \"seed\": " + s + ", \"folder\": \"" + folder + "\"}");
                Path f = Files.createDirectories(dir.resolve(folder).resolve("model"));
                boolean failed = arms[a].equals("same") && s == 2;
                Files.writeString(dir.resolve(folder).resolve("run.json"), "{\"status\": \"" + (failed ? "failed" : "finished") + "\"}");
                if (failed) continue;
                double l = loss[a][s];
                Files.writeString(f.resolve("metrics.json"), "{\"final_held_out_loss\": " + l + ", \"final_perplexity\": " + Math.exp(l)
                        + ", \"tokens_per_second\": 1000, \"train_losses\": [3, 2.5, " + (l + 0.1) + "]}");
                Files.writeString(dir.resolve(folder).resolve("metrics.jsonl"), "{\"held_out_loss\": 4.0, \"step\": 0}\n{\"loss\": 3.0, \"step\": 1}\n"
                        + "{\"held_out_loss\": " + (l + 0.5) + ", \"step\": 5}\n{\"held_out_loss\": " + l + ", \"step\": 10}\n");
            }
        }
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/same-seed-2.error"), "train: the loss became NaN at step 7\n");
        Files.writeString(dir.resolve("study.json"), """
                {"format": "ablate-study", "name": "hand", "study_file": "/x/hand.yaml", "baseline": "base", "executor": "local",
                 "arms": [{"name": "base", "overrides": [], "parameters": 100, "flops_per_token": 200},
                          {"name": "better", "overrides": ["a=1"], "parameters": 100, "flops_per_token": 200},
                          {"name": "worse", "overrides": ["a=2"], "parameters": 100, "flops_per_token": 200},
                          {"name": "same", "overrides": ["a=3"], "parameters": 100, "flops_per_token": 200}],
                 "common": [], "seeds": [0, 1, 2], "metrics": ["loss", "best_loss", "train_loss"],
                 "expect": ["better.loss < base.loss", "worse.loss < base.loss", "same.loss < base.loss", "worse.loss > better.loss"],
                 "runs": [%s]}
                """.formatted(runs));
        return dir;
    }

    @Test void pairedDifferencesAndVerdictsMatchHandComputedValues() throws IOException {
        Report r = Report.read(study());
        // better − base = [-0.2, -0.1, -0.2]: mean -1/6, sd sqrt(1/300), half-width t(2) * sd / sqrt(3).
        Stats.Summary d = r.difference("better", "base", "loss");
        double sd = Math.sqrt(1.0 / 300), half = 4.30265273 * sd / Math.sqrt(3);
        assertEquals(3, d.n());
        assertEquals(-1.0 / 6, d.mean(), 1e-12);
        assertEquals(sd, d.std(), 1e-12);
        assertEquals(-1.0 / 6 - half, d.lo(), 1e-7);
        assertEquals(-1.0 / 6 + half, d.hi(), 1e-7);
        assertTrue(d.hi() < 0);
        // The failed seed of "same" drops out of its pairs: [0.05, -0.05], which spans 0.
        Stats.Summary same = r.difference("same", "base", "loss");
        assertEquals(2, same.n());
        assertEquals(0.0, same.mean(), 1e-12);
        Stats.Summary base = r.summary("base", "loss");
        assertEquals(2.1, base.mean(), 1e-12);
        assertEquals(0.1, base.std(), 1e-12);
        assertEquals(2.45, r.summary("worse", "train_loss").mean(), 1e-12, "the last tenth of 3 steps is the last step");
        assertEquals(1.9333333333333333, r.summary("better", "best_loss").mean(), 1e-12, "the lowest evaluation is the last");

        List<String> verdicts = r.checks().stream().map(c -> c.verdict().toString()).toList();
        assertEquals(List.of("agrees", "disagrees", "inconclusive", "agrees"), verdicts);
    }

    @Test void writesMarkdownCsvAndPngs() throws IOException {
        Report r = Report.read(study());
        List<Path> files = r.write(dir.resolve("report"));
        String md = Files.readString(dir.resolve("report/report.md"));
        assertTrue(md.contains("| better | loss | 3 | -0.1667 | [-0.3101, -0.0232] |"), md);
        assertTrue(md.contains("| base | 3 | 2.1000 ± 0.1000 |"), md);
        assertTrue(md.contains("| `worse.loss < base.loss` | 3 | 0.2500 | [0.1258, 0.3742] | **disagrees** |"), md);
        assertTrue(md.contains("same/seed-2: failed — train: the loss became NaN at step 7"), md);
        assertTrue(md.contains("11 of 12 runs finished, 1 failed"), md);
        List<String> csv = Files.readAllLines(dir.resolve("report/summary.csv"));
        String[] better = csv.stream().filter(l -> l.startsWith("better,loss,")).findFirst().orElseThrow().split(",");
        assertEquals(-1.0 / 6, Double.parseDouble(better[8]), 1e-12);
        assertEquals(-1.0 / 6 - 4.30265273 * Math.sqrt(1.0 / 300) / Math.sqrt(3), Double.parseDouble(better[9]), 1e-7);
        assertTrue(Files.readString(dir.resolve("report/runs.csv")).contains("same/seed-2,same,2,failed,,"));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        for (String p : List.of("loss-curves.png", "loss-bars.png", "best_loss-bars.png", "train_loss-bars.png")) {
            byte[] b = Files.readAllBytes(dir.resolve("report").resolve(p));
            assertArrayEquals(png, Arrays.copyOf(b, 4), p + " is a PNG");
            assertTrue(b.length > 5000, p + " has a plot in it (" + b.length + " bytes)");
            assertTrue(files.contains(dir.resolve("report").resolve(p)));
        }
    }

    @Test void aFolderWithoutAStudyIsRefused() {
        String m = assertThrows(IOException.class, () -> Report.read(dir)).getMessage();
        assertTrue(m.contains("not a study folder"), m);
    }
}
