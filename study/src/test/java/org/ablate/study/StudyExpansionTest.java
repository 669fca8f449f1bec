package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.models.config.ConfigException;
import org.ablate.run.RunSpec;
import org.ablate.run.SpecLoader;

/** Expansion of study files into runs, and the errors bad study files get before anything runs. */
class StudyExpansionTest {
    @TempDir Path dir;

    Study load(String study) throws IOException {
        return Study.load(TestStudies.write(dir, study), TestStudies.REGISTRY);
    }

    String error(String study) throws IOException {
        Path f = TestStudies.write(dir, study);
        return assertThrows(ConfigException.class, () -> Study.load(f, TestStudies.REGISTRY)).getMessage();
    }

    @Test void armsTimesSeedsResolveAsTheSameOverridesGivenToTrainWould() throws IOException {
        Study s = load(TestStudies.STUDY.replace("seeds: [0, 1]", "seeds: [0, 1, 5]\nset: {optim.lr: 0.02}"));
        assertEquals(List.of("rope/seed-0", "alibi/seed-0", "rope/seed-1", "alibi/seed-1", "rope/seed-5", "alibi/seed-5"),
                s.runs().stream().map(Study.Run::name).toList());
        Study.Run alibi5 = s.run("alibi/seed-5");
        // The same spec `ablate train base.yaml --set ...` resolves: the study adds nothing of its own to a run's identity.
        RunSpec byHand = new SpecLoader(TestStudies.REGISTRY).load(dir.resolve("base.yaml"),
                List.of("optim.lr=0.02", "model.positional.id=alibi", "run.seed=5"));
        assertEquals(byHand.hash(), alibi5.spec().hash());
        assertEquals("alibi", alibi5.spec().model().positional().id());
        assertEquals(5, alibi5.spec().run().seed());
        assertEquals(0.02, alibi5.spec().optim().lr());
        assertEquals(6, s.runs().stream().map(Study.Run::id).distinct().count(), "every run has its own identity");
        assertEquals(Path.of("S/runs/alibi/seed-5"), alibi5.folder(Path.of("S")));
    }

    @Test void identityFollowsTheDataButNotTheStudyFilesOtherFields() throws IOException {
        Study a = load(TestStudies.STUDY);
        Study renamed = load(TestStudies.STUDY.replace("name: tiny", "name: renamed").replace("metrics: [loss, perplexity]", "metrics: [loss]"));
        assertEquals(a.run("alibi/seed-1").id(), renamed.run("alibi/seed-1").id());
        Files.writeString(dir.resolve("text.txt"), Files.readString(dir.resolve("text.txt")) + " And it was so.");
        Study edited = Study.load(dir.resolve("study.yaml"), TestStudies.REGISTRY);
        assertEquals(a.run("alibi/seed-1").spec().hash(), edited.run("alibi/seed-1").spec().hash(), "the spec is the same");
        assertNotEquals(a.run("alibi/seed-1").id(), edited.run("alibi/seed-1").id(), "the data changed");
    }

    @Test void axesFormTheirProductNamedByValues() throws IOException {
        Study s = load("""
                base: base.yaml
                axes: {model.positional.id: [rope, alibi], optim.lr: [0.01, 0.003]}   # rope_0.01 is the base itself, which a grid may hold
                seeds: [3]
                """);
        assertEquals(List.of("rope_0.01", "rope_0.003", "alibi_0.01", "alibi_0.003"), s.spec().arms().stream().map(StudySpec.Arm::name).toList());
        assertEquals("rope_0.01", s.spec().baseline());
        assertEquals(0.003, s.run("alibi_0.003/seed-3").spec().optim().lr());
        assertEquals("alibi", s.run("alibi_0.003/seed-3").spec().model().positional().id());
        assertEquals(List.of("loss"), s.spec().metrics());
    }

    @Test void inlineBaseSpecResolvesPathsFromTheStudyFolder() throws IOException {
        String inline = "base:\n" + TestStudies.BASE.indent(2) + "arms:\n  a: {}\n  b: {model.d_ff: 48}\nseeds: [0]\n";
        Study s = load(inline);
        assertEquals(48, s.run("b/seed-0").spec().model().dFf());
        List<Study.Size> sizes = s.sizes(TestStudies.REGISTRY);
        // d_ff 32 -> 48 adds 2 * 16 * 16 weights and 16 biases in the one layer's MLP.
        assertEquals(2 * 16 * 16 + 16, sizes.get(1).parameters() - sizes.get(0).parameters());
        String warning = s.parameterWarning(sizes);
        assertTrue(warning != null && warning.contains("b ") && warning.contains("parameter_tolerance 10.0 %"), warning);
        assertEquals(null, load(inline + "parameter_tolerance: 0.5\n").parameterWarning(sizes));
    }

    @Test void anUnknownOverridePathGetsSpecLoadersDidYouMeanAtTheArm() throws IOException {
        String m = error(TestStudies.STUDY.replace("model.positional.id: alibi", "model.positonal.id: alibi"));
        assertTrue(m.startsWith(dir.resolve("study.yaml") + ": arms.alibi.model.positonal.id: ") && m.contains("did you mean \"positional\""), m);
        m = error(TestStudies.STUDY + "set: {optim.lrr: 0.1}\n");
        assertTrue(m.contains(": set.optim.lrr: ") && m.contains("did you mean \"lr\""), m);
        m = error(TestStudies.STUDY.replace("model.positional.id: alibi", "model.positional.id: alibii"));
        assertTrue(m.contains("arms.alibi") && m.contains("alibii"), m);
    }

    @Test void badStudiesAreRefusedWithTheFieldAtFault() throws IOException {
        String m = error(TestStudies.STUDY.replace("alibi: {model.positional.id: alibi}", "alibi: {model.positional.id: rope}"));
        assertTrue(m.contains("arms.alibi: the arm changes nothing"), m);
        m = error(TestStudies.STUDY.replace("rope: {}", "rope: {}\n  alibi2: {model.positional.id: alibi}"));
        assertTrue(m.contains("arms.alibi: resolves to the same spec as arm \"alibi2\""), m);
        m = error(TestStudies.STUDY.replace("rope: {}", "rope: {}\n  alibi: {model.positional.id: sinusoidal}"));
        assertTrue(m.contains("line 6") && m.contains("duplicate key 'alibi'"), m);
        m = error(TestStudies.STUDY.replace("seeds: [0, 1]", "seeds: []"));
        assertTrue(m.contains(": seeds: the seed list is empty"), m);
        m = error(TestStudies.STUDY.replace("seeds: [0, 1]", "seeds: [0, 0]"));
        assertTrue(m.contains("seeds.1: seed 0 is listed twice"), m);
        m = error(TestStudies.STUDY.replace("{model.positional.id: alibi}", "{model.positional.id: alibi, run.seed: 4}"));
        assertTrue(m.contains("arms.alibi.run.seed: the seed comes from the study's seeds list"), m);
        m = error(TestStudies.STUDY.replace("metrics: [loss, perplexity]", "metrics: [los]"));
        assertTrue(m.contains("metrics.0: unknown metric") && m.contains("did you mean \"loss\""), m);
        m = error(TestStudies.STUDY.replace("alibi.loss < rope.loss", "alibi.loss < sinus.loss"));
        assertTrue(m.contains("expect.0: no arm \"sinus\""), m);
        m = error(TestStudies.STUDY.replace("alibi.loss < rope.loss", "alibi.loss is lower"));
        assertTrue(m.contains("expect.0: expected ARM.METRIC < ARM.METRIC"), m);
        m = error(TestStudies.STUDY + "baseline: alibii\n");
        assertTrue(m.contains("baseline: no arm \"alibii\"") && m.contains("did you mean \"alibi\""), m);
        m = error(TestStudies.STUDY.replace("arms:", "armz:"));
        assertTrue(m.contains("armz: unknown key") && m.contains("did you mean \"arms\""), m);
        m = error(TestStudies.STUDY.replace("rope: {}\n", ""));
        assertTrue(m.contains("arms: a study compares at least two arms"), m);
        m = error(TestStudies.STUDY.replace("base: base.yaml", "base: missing.yaml"));
        assertTrue(m.contains("base: no such run spec"), m);
        m = error(TestStudies.STUDY.replace("rope: {}", "ro/pe: {}"));
        assertTrue(m.contains("arms.ro/pe: an arm name is a folder name"), m);
    }
}
