package org.ablate.models.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.platform.ComponentRegistry;

class ConformanceRunnerTest {
    static List<CaseResult> results;

    static Path root() {
        String prop = System.getProperty("ablate.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        if (!Files.isDirectory(dir)) fail("conformance data not found at " + dir.toAbsolutePath() + " (set -Dablate.conformance.dir)");
        return dir;
    }

    @BeforeAll static void runAll() throws Exception {
        results = new ConformanceRunner(ComponentRegistry.discover()).runAll(root());
        for (CaseResult r : results) {
            System.out.printf("%-28s %-20s %s worst %.3g  %s%n", r.name(), r.kind(), r.passed() ? "pass" : "FAIL", r.worst(), r.detail());
        }
    }

    /** Every case of {@code kind} passes, and there is at least one. */
    static void kindPasses(String kind) {
        List<CaseResult> of = results.stream().filter(r -> r.kind().equals(kind)).toList();
        assertFalse(of.isEmpty(), "no case of kind " + kind);
        for (CaseResult r : of) assertTrue(r.passed(), r.name() + ": " + r.detail());
    }

    @Test void ops() { kindPasses("op"); }
    @Test void sdpa() { kindPasses("sdpa"); }
    @Test void mha() { kindPasses("mha"); }
    @Test void rope() { kindPasses("rope"); }
    @Test void sinusoidal() { kindPasses("sinusoidal"); }
    @Test void sampler() { kindPasses("sampler"); }
    @Test void tokenizerGpt2() { kindPasses("tokenizer-gpt2"); }
    @Test void tokenizerWordpiece() { kindPasses("tokenizer-wordpiece"); }
    @Test void hfCausalLm() { kindPasses("hf-causal-lm"); }
    @Test void hfEncoder() { kindPasses("hf-encoder"); }
    @Test void hfMaskedLm() { kindPasses("hf-masked-lm"); }
    @Test void hfSeq2seq() { kindPasses("hf-seq2seq"); }

    @Test void everyKindInTheFolderIsKnown() {
        Set<String> kinds = new TreeSet<>();
        results.forEach(r -> kinds.add(r.kind()));
        for (String k : kinds) assertTrue(ConformanceRunner.KINDS.contains(k), "kind " + k + " has no runner");
    }

    @Test void aFolderWithoutCasesIsAnError(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty_sub_folder"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> new ConformanceRunner(ComponentRegistry.discover()).runAll(dir));
        assertTrue(e.getMessage().startsWith(dir + ": holds no conformance cases"), e.getMessage());
    }

    @Test void unknownKindFails(@TempDir Path dir) throws Exception {
        Path c = dir.resolve("odd_case");
        Files.createDirectories(c);
        Files.writeString(c.resolve("case.json"), "{\"name\": \"odd_case\", \"kind\": \"teleport\", \"tolerance\": {\"atol\": 0, \"rtol\": 0}}");
        List<CaseResult> r = new ConformanceRunner(ComponentRegistry.discover()).runAll(dir);
        assertEquals(1, r.size());
        assertFalse(r.get(0).passed());
        assertTrue(r.get(0).detail().contains("unknown kind \"teleport\""), r.get(0).detail());
    }
}
