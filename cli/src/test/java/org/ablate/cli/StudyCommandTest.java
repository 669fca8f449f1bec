package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.study.SlurmExecutor;

/** {@code ablate study --dry-run} prints the plan and starts nothing; bad input is one line; the shipped studies resolve. */
class StudyCommandTest {
    @TempDir Path dir;

    private Path study(String arms) throws IOException {
        Path examples = Path.of(System.getProperty("user.dir")).getParent().resolve("examples");
        Files.writeString(dir.resolve("study.yaml"), """
                base: %s
                set: {model.layers: 1, run.steps: 5}
                arms:
                %s
                seeds: [0, 1]
                """.formatted(examples.resolve("specs/gpt-char.yaml"), arms));
        return dir.resolve("study.yaml");
    }

    @Test void dryRunPrintsArmsSizesAndRunsAndWritesNothing() throws IOException {
        Path f = study("  rope: {}\n  swiglu: {model.feed_forward: {id: swiglu}}");
        MainTest.Result r = MainTest.run("study", f.toString(), "--out", dir.resolve("out").toString(), "--dry-run", "--jobs", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 arms x 2 seeds = 4 runs, baseline rope"), r.out());
        assertTrue(r.out().contains("swiglu/seed-1") && r.out().contains("to run"), r.out());
        assertTrue(r.out().contains("warning: arms differ in size by"), "SwiGLU at the same d_ff has a third more MLP weights:\n" + r.out());
        assertTrue(r.out().contains("executor local: 2 runs at once"), r.out());
        assertFalse(Files.exists(dir.resolve("out")), "a dry run writes nothing");
    }

    @Test void badInputIsOneLineBeforeAnyRun() throws IOException {
        Path f = study("  rope: {}\n  alibi: {model.positionl.id: alibi}");
        MainTest.Result r = MainTest.run("study", f.toString(), "--out", dir.resolve("out").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("ablate study: " + f + ": arms.alibi.model.positionl.id: \"positionl\" is not a field of model; expected one of "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().strip().endsWith("did you mean \"positional\"?"), r.err());
        assertFalse(Files.exists(dir.resolve("out")));
        Path ok = study("  rope: {}\n  alibi: {model.positional.id: alibi}");
        r = MainTest.run("study", ok.toString(), "--executor", "pbs", "--dry-run");
        assertEquals("ablate study: --executor: unknown executor \"pbs\"; known: local, slurm", r.err().strip());
        r = MainTest.run("study", ok.toString(), "--executor", "slurm", "--dry-run", "--jobs", "2", "--threads-per-run", "1", "--out", dir.resolve("s").toString());
        if (SlurmExecutor.missingCommands().isEmpty()) {
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("executor slurm: one job array, at most 2 tasks at once, 1 thread each (--cpus-per-task=1)"), r.out());
        } else {
            assertEquals("ablate study: --executor slurm: " + String.join(", ", SlurmExecutor.missingCommands())
                    + " not found on the PATH; run on a machine with Slurm's client commands (sbatch, squeue, scancel)", r.err().strip());
        }
        r = MainTest.run("report", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a study folder (no study.json)"), r.err());
    }

    @Test void everyShippedStudyResolves() throws IOException {
        Path studies = Path.of(System.getProperty("user.dir")).getParent().resolve("examples/studies");
        try (var files = Files.list(studies)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                MainTest.Result r = MainTest.run("study", f.toString(), "--out", dir.resolve(f.getFileName().toString()).toString(), "--dry-run");
                assertEquals(0, r.code(), f + ": " + r.err());
                assertTrue(r.out().contains("to run"), r.out());
            }
        }
    }
}
