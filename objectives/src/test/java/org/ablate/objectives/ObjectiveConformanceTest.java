package org.ablate.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.models.conformance.CaseResult;
import org.ablate.models.conformance.ConformanceRunner;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;

/**
 * The {@code objective} cases of the shared training conformance data (PyTorch's DPO, pairwise reward, PPO
 * and GAE numbers), run through {@code ConformanceRunner} as {@code ablate conformance} runs them: the kind
 * is found by discovery, and every case of it must pass, gradients included.
 */
class ObjectiveConformanceTest {
    static List<CaseResult> results;

    /** {@code -Dablate.conformance.training.dir}, else {@code conformance-training} beside the model-stack data. */
    static Path root() {
        String prop = System.getProperty("ablate.conformance.training.dir");
        String stack = System.getProperty("ablate.conformance.dir");
        Path dir = prop != null ? Path.of(prop)
                : stack != null ? Path.of(stack).resolveSibling("conformance-training") : Path.of("../../shared/conformance-training");
        if (!Files.isDirectory(dir)) fail("training conformance data not found at " + dir.toAbsolutePath() + " (set -Dablate.conformance.training.dir)");
        return dir;
    }

    @BeforeAll static void runAll() throws Exception {
        results = new ConformanceRunner(ComponentRegistry.discover()).runAll(root());
        for (CaseResult r : results) {
            System.out.printf("%-24s %-10s %s worst %.3g  %s%n", r.name(), r.kind(), r.passed() ? "pass" : "FAIL", r.worst(), r.detail());
        }
    }

    @Test void everyObjectiveCasePasses() {
        List<CaseResult> of = results.stream().filter(r -> r.kind().equals("objective")).toList();
        assertTrue(of.size() >= 4, "expected the dpo, reward, ppo and gae cases, found " + of.size());
        for (CaseResult r : of) assertTrue(r.passed(), r.name() + ": " + r.detail());
    }

    @Test void everyObjectiveOfTheDataIsCovered() {
        for (String objective : ObjectiveConformance.OBJECTIVES) {
            assertTrue(results.stream().anyMatch(r -> r.kind().equals("objective") && r.detail().contains(switch (objective) {
                case "dpo" -> "grad_policy_chosen_logits";
                case "reward_pairwise" -> "grad_r_chosen";
                case "ppo" -> "grad_vpreds";
                default -> "advantages_whitened";
            })), objective + ": no passing case compared its outputs");
        }
    }

    /** A case whose expected gradient is off by more than its tolerance fails, naming the tensor. */
    @Test void aWrongGradientFails(@TempDir Path tmp) throws Exception {
        Path source = results.stream().filter(r -> r.detail().contains("grad_r_chosen")).findFirst()
                .map(r -> root().resolve(r.name())).orElseThrow();
        Path copy = tmp.resolve("objective_reward_broken");
        Files.createDirectories(copy);
        Files.copy(source.resolve("case.json"), copy.resolve("case.json"));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.open(source.resolve("io.safetensors"))) {
            for (String n : f.names()) tensors.put(n, f.tensor(n).contiguous());
        }
        float[] g = tensors.get("grad_r_chosen").toArray();
        g[0] += 1e-3f;
        tensors.put("grad_r_chosen", Tensor.of(g, tensors.get("grad_r_chosen").shape()));
        Safetensors.write(copy.resolve("io.safetensors"), tensors, Map.of());
        CaseResult r = new ConformanceRunner(ComponentRegistry.discover()).run(copy);
        assertFalse(r.passed(), r.detail());
        assertTrue(r.detail().startsWith("grad_r_chosen: element 0"), r.detail());
    }

    @Test void anUnknownObjectiveIsNamed(@TempDir Path tmp) throws Exception {
        Path c = tmp.resolve("objective_odd");
        Files.createDirectories(c);
        Files.writeString(c.resolve("case.json"), "{\"name\": \"objective_odd\", \"kind\": \"objective\", \"tolerance\": {\"atol\": 0, \"rtol\": 0},"
                + " \"params\": {\"objective\": \"orpo\"}}");
        CaseResult r = new ConformanceRunner(ComponentRegistry.discover()).run(c);
        assertFalse(r.passed());
        assertTrue(r.detail().contains("params.objective is \"orpo\"; expected one of dpo, reward_pairwise, ppo, gae"), r.detail());
        assertEquals("objective", r.kind());
    }
}
