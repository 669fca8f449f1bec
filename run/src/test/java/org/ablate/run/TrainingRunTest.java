package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigException;
import org.ablate.tensor.Tensor;

class TrainingRunTest {
    @TempDir Path dir;
    final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    TrainingRun.Outcome train(Path out, String... overrides) throws IOException {
        RunSpec spec = new SpecLoader(TestSpecs.REGISTRY).load(TestSpecs.write(dir), List.of(overrides));
        return new TrainingRun(TestSpecs.REGISTRY, quiet).run(spec, new TrainingRun.Options(out, null, false, false, List.of()));
    }

    @Test void frozenParametersStayBitIdenticalAndOthersTrain() throws IOException {
        Path out = dir.resolve("frozen");
        RunSpec spec = new SpecLoader(TestSpecs.REGISTRY).load(TestSpecs.write(dir), List.of("optim.freeze=[embed_tokens.*, decoder.layers.0.*]"));
        // The initial weights of the same spec and seed, built without training.
        var init = new org.ablate.models.assembly.ModelBuilder(TestSpecs.REGISTRY).build(spec.model().withVocabSize(trainedVocab(spec)), spec.run().seed(), null);
        TrainingRun.Outcome o = new TrainingRun(TestSpecs.REGISTRY, quiet).run(spec, new TrainingRun.Options(out, null, false, false, List.of()));
        int frozen = 0, changed = 0;
        for (var e : o.model().parameters().entrySet()) {
            float[] before = init.parameters().get(e.getKey()).toArray(), after = e.getValue().toArray();
            if (e.getKey().startsWith("embed_tokens.") || e.getKey().startsWith("decoder.layers.0.")) {
                assertArrayEquals(before, after, e.getKey() + " is frozen");
                assertEquals(null, e.getValue().grad(), e.getKey() + " got a gradient");
                frozen++;
            } else if (!java.util.Arrays.equals(before, after)) {
                changed++;
            }
        }
        assertTrue(frozen >= 2 && changed > 5, "frozen " + frozen + ", changed " + changed);
        String m = assertThrows(ConfigException.class, () -> train(dir.resolve("nomatch"), "optim.freeze=[encoder.*]")).getMessage();
        assertTrue(m.contains("optim.freeze.0") && m.contains("matches no parameter"), m);
    }

    private int trainedVocab(RunSpec spec) throws IOException {
        return TestSpecs.REGISTRY.tokenizer("char").train(Files.readString(dir.resolve("text.txt")), spec.tokenizer().params()).vocabSize();
    }

    @Test void runFolderRefusesForeignTargetsAndSeedsChangeDropout() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        assertTrue(assertThrows(IOException.class, () -> train(file)).getMessage().contains("not a folder"));
        assertEquals("mine", Files.readString(file));
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("data.csv"), "1,2");
        assertTrue(assertThrows(IOException.class, () -> train(foreign)).getMessage().contains("not an Ablate run folder"));
        assertTrue(Files.exists(foreign.resolve("data.csv")));

        TrainingRun.Outcome a = train(dir.resolve("a"), "run.steps=4", "run.seed=1");
        assertTrue(assertThrows(IOException.class, () -> train(dir.resolve("a"), "run.steps=4")).getMessage().contains("--resume"));
        assertTrue(Files.isRegularFile(dir.resolve("a/model/model.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("a/spec.yaml")));
        TrainingRun.Outcome b = train(dir.resolve("b"), "run.steps=4", "run.seed=2", "model.dropout=0.1");
        assertNotEquals(a.result().trainLosses(), b.result().trainLosses(), "another seed draws other batches and masks");
        TrainingRun.Outcome a2 = train(dir.resolve("a2"), "run.steps=4", "run.seed=1");
        assertBitIdentical(a.result().trainLosses(), a2.result().trainLosses(), "the same seed repeats");
    }

    /** A real SIGKILL of a child JVM mid-run, then --resume: the same per-step losses and bit-identical weights. */
    @Test void killedAndResumedRunEqualsAnUninterruptedOne() throws Exception {
        Path spec = TestSpecs.write(dir);
        Path killed = dir.resolve("killed"), whole = dir.resolve("whole");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                ResumeChild.class.getName(), spec.toString(), killed.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path latest = killed.resolve("checkpoints/latest");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.isRegularFile(latest) && Files.readString(latest).trim().compareTo("step-0000010") >= 0)) {
            assertTrue(child.isAlive(), () -> "the child ended early: " + read(dir.resolve("child.log")));
            assertTrue(System.nanoTime() < deadline, "no checkpoint after 120 s");
            Thread.sleep(20);
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(killed.resolve("model")), "the run was killed before its end");

        RunSpec s = new SpecLoader(TestSpecs.REGISTRY).load(spec, List.of());
        TrainingRun.Outcome resumed = new TrainingRun(TestSpecs.REGISTRY, quiet).run(s, new TrainingRun.Options(killed, null, true, false, List.of()));
        TrainingRun.Outcome uninterrupted = new TrainingRun(TestSpecs.REGISTRY, quiet).run(s, new TrainingRun.Options(whole, null, false, false, List.of()));
        // Bit for bit: the first steps ran in a cold child JVM, the rest and the uninterrupted run in this warm one.
        assertBitIdentical(uninterrupted.result().trainLosses(), resumed.result().trainLosses(), "per-step losses");
        for (var e : uninterrupted.model().parameters().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), resumed.model().parameters().get(e.getKey()).toArray(), e.getKey());
        }
        Map<String, Tensor> reloaded = Checkpoint.load(killed, TestSpecs.REGISTRY).model().parameters();
        for (var e : reloaded.entrySet()) assertArrayEquals(e.getValue().toArray(), resumed.model().parameters().get(e.getKey()).toArray());

        // A different spec cannot resume this folder.
        RunSpec other = new SpecLoader(TestSpecs.REGISTRY).load(spec, List.of("optim.lr=0.02"));
        Path again = dir.resolve("again");
        train(again, "run.steps=6", "run.checkpoint_every=2");
        String m = assertThrows(IOException.class, () -> new TrainingRun(TestSpecs.REGISTRY, quiet).run(other,
                new TrainingRun.Options(killed, null, true, false, List.of()))).getMessage();
        assertTrue(m.contains("finished") || m.contains("another spec"), m);
    }

    /** A one-character text is refused with the file, the token counts and the context, not an index error. */
    @Test void aTextTooShortForTheContextIsNamed() throws IOException {
        Files.writeString(dir.resolve("one.txt"), "a");
        String m = assertThrows(Exception.class, () -> train(dir.resolve("short"), "data.path=one.txt")).getMessage();
        assertTrue(m.contains("one.txt") && m.contains("too short for context 16"), m);
    }

    /** A batch that cannot fit is refused before any allocation, naming the fields that drive the estimate. */
    @Test void aRunThatCannotFitInMemoryIsRefusedBeforeItStarts() {
        String m = assertThrows(org.ablate.models.config.ConfigException.class,
                () -> train(dir.resolve("huge"), "run.batch_size=2000000", "run.context=32")).getMessage();
        assertTrue(m.contains("run.batch_size 2000000") && m.contains("run.context 32") && m.contains("GB"), m);
    }

    @Test void fineTuningLoadsTheBodyAndInitialisesANewHead() throws IOException {
        Path base = dir.resolve("base");
        TrainingRun.Outcome pre = train(base, "run.steps=3");
        RunSpec spec = new SpecLoader(TestSpecs.REGISTRY).load(dir.resolve("spec.yaml"),
                List.of("run.steps=2", "schedule.warmup=0", "model.output_heads={lm_head: {id: lm}, value: {id: scalar, at: every}}", "optim.freeze=[decoder.layers.1.*]"));
        TrainingRun.Outcome tuned = new TrainingRun(TestSpecs.REGISTRY, quiet).run(spec, new TrainingRun.Options(dir.resolve("tuned"), base, false, false, List.of()));
        assertArrayEquals(pre.model().parameters().get("decoder.layers.1.ffn.fc1.weight").toArray(),
                tuned.model().parameters().get("decoder.layers.1.ffn.fc1.weight").toArray(), "loaded and frozen");
        assertTrue(tuned.model().parameters().containsKey("value.weight"));
        RunSpec wider = new SpecLoader(TestSpecs.REGISTRY).load(dir.resolve("spec.yaml"), List.of("model.d_ff=48"));
        String m = assertThrows(IOException.class, () -> new TrainingRun(TestSpecs.REGISTRY, quiet).run(wider,
                new TrainingRun.Options(dir.resolve("wider"), base, false, false, List.of()))).getMessage();
        assertTrue(m.contains("ffn.fc1.weight") && m.contains("shape"), m);
    }

    @Test void pluginObjectiveHeadAndGuiceModuleAreUsedByName() throws IOException {
        PluginParts.CALLBACK_STEPS.set(0);
        TrainingRun.Outcome o = train(dir.resolve("plugin"), "run.steps=3", "objective={id: test-z-loss, weight: 0.01}",
                "model.output_heads={lm_head: {id: test-softcap-lm, cap: 30}}");
        assertTrue(o.model().parameters().keySet().stream().noneMatch(n -> n.startsWith("lm_head.")), "the soft-capped head is tied");
        assertEquals(3, PluginParts.CALLBACK_STEPS.get(), "the plugin's Guice module added a training callback");
        assertTrue(Double.isFinite(o.result().finalHeldOutLoss()));
    }

    /** Equal bit for bit, step by step. */
    static void assertBitIdentical(List<Double> expected, List<Double> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": step count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(expected.get(i)), Double.doubleToRawLongBits(actual.get(i)),
                    what + " at step " + (i + 1) + ": " + expected.get(i) + " against " + actual.get(i));
        }
    }

    private static String read(Path p) {
        try { return Files.readString(p); } catch (IOException e) { return "(no log)"; }
    }
}
