package org.ablate.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ablate.models.conformance.CaseResult;
import org.ablate.models.conformance.ConformanceRunner;
import org.ablate.platform.ComponentRegistry;
import org.junit.jupiter.api.Test;

/**
 * Every {@code metric} case of ../shared/conformance-training passes through the runner {@code ablate conformance}
 * uses, which finds this module's kind through discovery; the other kinds there belong to other modules.
 */
class MetricConformanceTest {
    static Path trainingCases() {
        String prop = System.getProperty("ablate.conformance.dir");
        Path base = prop != null ? Path.of(prop) : Path.of("..", "..", "shared", "conformance");
        Path dir = base.toAbsolutePath().normalize().resolveSibling("conformance-training");
        assertTrue(Files.isDirectory(dir), dir + ": the training conformance data is missing");
        return dir;
    }

    @Test void everyMetricCasePasses() throws Exception {
        ConformanceRunner runner = new ConformanceRunner(ComponentRegistry.discover());
        assertTrue(runner.knownKinds().contains("metric"), "kind \"metric\" is not registered: " + runner.knownKinds());
        List<CaseResult> metric = runner.runAll(trainingCases()).stream().filter(r -> r.kind().equals("metric")).toList();
        assertFalse(metric.isEmpty(), "no metric case found");
        for (CaseResult r : metric) assertTrue(r.passed(), r.name() + ": " + r.detail());
    }

    @Test void aWrongExpectedValueFails(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path src = trainingCases().resolve("metric_bleu");
        Path dir = Files.createDirectories(tmp.resolve("metric_bleu"));
        Files.copy(src.resolve("cases.json"), dir.resolve("cases.json"));
        String json = Files.readString(src.resolve("case.json"));
        // Off by one in a total: the exact count comparison must catch it.
        String broken = json.replaceFirst("(\"totals\":\\s*\\[\\s*)(\\d+)", "$1" + "999999");
        assertTrue(!broken.equals(json), "the case format changed; this test cannot break it");
        Files.writeString(dir.resolve("case.json"), broken);
        CaseResult r = new ConformanceRunner(ComponentRegistry.discover()).run(dir);
        assertFalse(r.passed(), "a wrong total passed: " + r.detail());
    }
}
