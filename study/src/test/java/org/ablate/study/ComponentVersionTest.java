package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.ComponentKind;
import org.ablate.platform.ComponentRegistry;
import org.ablate.platform.RegisteredProvider;

/** The versions of the components a run trains with are part of its identity, recorded in study.json and checked for drift. */
class ComponentVersionTest {
    @TempDir Path dir;

    /** The test registry with one provider's version string replaced. */
    static ComponentRegistry withVersion(ComponentKind kind, String id, String version) {
        List<RegisteredProvider> all = new ArrayList<>();
        for (RegisteredProvider p : TestStudies.REGISTRY.all()) {
            all.add(p.kind() == kind && p.id().equals(id) ? new RegisteredProvider(p.kind(), p.provider(), p.module(), version) : p);
        }
        return ComponentRegistry.of(all);
    }

    @Test void aRunNamesTheVersionOfEveryComponentItTrainsWith() throws IOException {
        Study s = Study.load(TestStudies.write(dir, TestStudies.STUDY), withVersion(ComponentKind.ATTENTION, "multi-head", "1.0"));
        Map<String, String> c = s.run("alibi/seed-0").components();
        assertEquals("1.0", c.get("attention/multi-head"));
        assertTrue(c.containsKey("positional-encoding/alibi") && c.containsKey("block/pre-norm") && c.containsKey("norm/layer-norm")
                && c.containsKey("feed-forward/mlp") && c.containsKey("tokenizer/char"), c.toString());
        assertTrue(s.run("rope/seed-0").components().containsKey("positional-encoding/rope"));
        // On the class path the toolkit's own providers carry no module version.
        assertEquals("unversioned", c.get("block/pre-norm"));
    }

    @Test void anUpgradedProviderChangesTheIdentityButNotTheSpec() throws IOException {
        Path f = TestStudies.write(dir, TestStudies.STUDY);
        Study v1 = Study.load(f, withVersion(ComponentKind.ATTENTION, "multi-head", "1.0"));
        Study again = Study.load(f, withVersion(ComponentKind.ATTENTION, "multi-head", "1.0"));
        Study v11 = Study.load(f, withVersion(ComponentKind.ATTENTION, "multi-head", "1.1"));
        Study plain = Study.load(f, TestStudies.REGISTRY);
        Study otherUnused = Study.load(f, withVersion(ComponentKind.ATTENTION, "grouped-query", "9.9"));
        for (Study.Run r : v1.runs()) {
            assertEquals(r.id(), again.run(r.name()).id(), "the same versions, the same identity");
            assertEquals(r.spec().hash(), v11.run(r.name()).spec().hash());
            assertNotEquals(r.id(), v11.run(r.name()).id(), r.name() + ": the attention provider changed version");
            assertEquals(plain.run(r.name()).id(), otherUnused.run(r.name()).id(), "a provider the run does not use leaves it alone");
        }
        // The identity is the spec hash, the data fingerprint and the versions, nothing else.
        Study.Run r = v1.run("rope/seed-1");
        assertEquals(Study.sha256(r.spec().hash() + "\n" + r.dataSha256() + "\n" + String.join("\n",
                r.components().entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).toList())), r.id());
        assertNotEquals(Study.identity("a", "b", Map.of("attention/multi-head", "1.0")), Study.identity("a", "b", Map.of("attention/multi-head", "1.0.1")));
    }

    @Test void aRunFolderTrainedWithAnotherComponentVersionIsRefusedNamingIt() throws Exception {
        Path f = TestStudies.write(dir, TestStudies.STUDY), out = dir.resolve("out");
        Study v1 = Study.load(f, withVersion(ComponentKind.ATTENTION, "multi-head", "1.0"));
        StudyRunner runner = new StudyRunner(TestStudies.REGISTRY, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        // One run trained (in this JVM) and the study's record written as a study does.
        Study.Run rope0 = v1.run("rope/seed-0");
        new org.ablate.run.TrainingRun(TestStudies.REGISTRY, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .run(rope0.spec(), new org.ablate.run.TrainingRun.Options(rope0.folder(out), null, false, false, List.of()));
        Files.createDirectories(out);
        assertEquals(RunState.FINISHED, RunState.of(out, rope0, rope0.dataSha256(), rope0.components()));
        Map<String, String> recorded = rope0.components();
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("runs", List.of(
                Map.of("name", rope0.name(), "data_sha256", rope0.dataSha256(), "components", recorded))));
        Files.writeString(out.resolve("study.json"), json);
        assertEquals(RunState.FINISHED, runner.plan(v1, out).getFirst().state());

        Study v11 = Study.load(f, withVersion(ComponentKind.ATTENTION, "multi-head", "1.1"));
        String m = assertThrows(IOException.class, () -> runner.plan(v11, out)).getMessage();
        assertTrue(m.contains("runs/rope/seed-0: a component version changed since this run (attention/multi-head 1.0 -> 1.1)"), m);
    }
}
