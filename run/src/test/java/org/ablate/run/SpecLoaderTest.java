package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.models.config.ConfigException;

class SpecLoaderTest {
    final SpecLoader loader = new SpecLoader(TestSpecs.REGISTRY);
    @TempDir Path dir;

    RunSpec load(String... overrides) throws Exception { return loader.load(TestSpecs.write(dir), List.of(overrides)); }

    String error(String yaml, String... overrides) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, yaml);
        return assertThrows(ConfigException.class, () -> loader.load(f, List.of(overrides))).getMessage();
    }

    @Test void sectionsDefaultsAndHash() throws Exception {
        RunSpec s = load();
        assertEquals(30, s.run().steps());
        assertEquals("adamw", s.optim().id());
        assertEquals(0.01, s.optim().lr());
        assertEquals(List.of(0.9, 0.95), s.optim().betas(), "defaults fill what the spec leaves out");
        assertEquals("next-token", s.objective().id());
        assertEquals("text-windows", s.data().id());
        assertEquals("pre-norm", s.model().block().id());
        assertEquals(64, s.hash().length());
        assertEquals(s.hash(), load().hash(), "the same spec hashes the same");
    }

    @Test void setReachesAnyKnobAndChangesTheHash() throws Exception {
        RunSpec base = load();
        RunSpec s = load("run.steps=12", "model.attention.id=grouped-query", "model.attention.kv_heads=1",
                "optim.freeze=[embed_tokens.*]", "optim.lr_multipliers={lm_head.*: 2}", "generation.processors.0={id: top-k, k: 5}",
                "model.positional.theta=500", "optim.lr=3e-4");
        assertEquals(12, s.run().steps());
        assertEquals("grouped-query", s.model().attention().id());
        assertEquals(1, s.model().attention().params().getInt("kv_heads"));
        assertEquals(List.of("embed_tokens.*"), s.optim().freeze());
        assertEquals(500.0, s.model().positional().params().getDouble("theta"));
        assertEquals(3e-4, s.optim().lr(), "numbers like 3e-4, which YAML reads as text, are numbers");
        assertEquals("top-k", s.generation().processors().get(0).id());
        assertNotEquals(base.hash(), s.hash());
    }

    /** A run shorter than its warmup (ablate demo --steps 2) warms up over all of its steps. */
    @Test void shortRunsWarmUpOverTheirSteps() throws Exception {
        RunSpec s = load("run.steps=2");
        assertEquals(3, s.schedule().warmup());
        assertEquals(0.005, Trainer.schedule(s).lr(0), 1e-12);
        assertEquals(0.01, Trainer.schedule(s).lr(1), 1e-12);
    }

    @Test void badOverridesNameThePathAndSuggest() throws Exception {
        Path spec = TestSpecs.write(dir);
        String m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("run.stpes=3"))).getMessage();
        assertTrue(m.contains("run.stpes") && m.contains("did you mean \"steps\""), m);
        m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("modle.layers=3"))).getMessage();
        assertTrue(m.contains("did you mean \"model\""), m);
        m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("model.attention.hedas=3"))).getMessage();
        assertTrue(m.contains("model.attention.hedas"), m);
        m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("run.steps=many"))).getMessage();
        assertTrue(m.contains("run.steps") && m.contains("expected an integer"), m);
        m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("model.layers=two"))).getMessage();
        assertTrue(m.contains("model.layers"), m);
        m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("objective.id=next-tokn"))).getMessage();
        assertTrue(m.contains("objective.id") && m.contains("did you mean \"next-token\""), m);
    }

    @Test void strictFiles() throws Exception {
        TestSpecs.write(dir);
        assertTrue(error(TestSpecs.SPEC + "optimizer: {}\n").contains("unknown section"));
        assertTrue(error(TestSpecs.SPEC + "run: {steps: 3}\n").contains("Duplicate field 'run'"), "duplicate keys are refused");
        assertTrue(error(TestSpecs.SPEC + "---\nrun: {steps: 3}\n").contains("a second document"));
        assertTrue(error(TestSpecs.SPEC.replace("lr: 1.0e-2", "lr: 1.0e-2, warmpu: 3")).contains("optim.warmpu"));
        assertTrue(error(TestSpecs.SPEC.replace("d_model: 16", "d_model: 15")).contains("model.heads"));
    }

    @Test void extendsMergesSectionsAndABareModelConfigIsTheModelSection() throws Exception {
        TestSpecs.write(dir);
        Files.writeString(dir.resolve("child.yaml"), "extends: spec.yaml\nrun: {steps: 9}\nmodel: {layers: 3}\n");
        RunSpec child = loader.load(dir.resolve("child.yaml"), List.of());
        assertEquals(9, child.run().steps());
        assertEquals(4, child.run().batchSize(), "the rest of run comes from the preset");
        assertEquals(3, child.model().decoderLayers());
        assertEquals(16, child.model().dModel());
        // The preset's relative data path keeps naming the preset's file when extended from another folder.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("far.yaml"), "extends: ../spec.yaml\nrun: {steps: 2}\n");
        RunSpec far = loader.load(elsewhere.resolve("far.yaml"), List.of());
        assertEquals(dir.resolve("text.txt").toAbsolutePath().normalize().toString(), far.data().params().values().get("path"));
        // A part naming another id replaces the preset's part whole: mlp's activation would be unknown to swiglu.
        Files.writeString(dir.resolve("swiglu.yaml"), "extends: spec.yaml\nmodel: {feed_forward: {id: swiglu}}\n");
        assertEquals("swiglu", loader.load(dir.resolve("swiglu.yaml"), List.of()).model().feedForward().id());
        Path legacy = Path.of(System.getProperty("user.dir")).resolve("../examples/configs/llama-style.yaml");
        RunSpec old = loader.load(legacy, List.of());
        assertEquals("pre-norm", old.model().block().id());
        assertTrue(old.tokenizer() != null || !Files.readString(legacy).contains("tokenizer:"), "a model's tokenizer moves to the tokenizer section");
    }

    /** Every shipped run spec and model config resolves (model configs as the model section). */
    @Test void shippedSpecsAndConfigsResolve() throws Exception {
        Path examples = Path.of(System.getProperty("user.dir")).resolve("../examples");
        int n = 0;
        for (String folder : List.of("specs", "configs")) {
            try (var files = Files.list(examples.resolve(folder))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                    RunSpec s = loader.load(f, List.of());
                    assertTrue(s.model().estimatedParameters() > 0, f.toString());
                    n++;
                }
            }
        }
        assertTrue(n >= 3, "found " + n + " example files");
    }
}
