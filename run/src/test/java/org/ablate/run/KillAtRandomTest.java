package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ablate.models.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at seeded random moments (with a checkpoint after every step, so many kills land inside a save): after
 * each kill the newest checkpoint the folder names loads whole, and resuming until the run ends gives the
 * uninterrupted run's weights bit for bit, with no temporary folder left behind.
 */
class KillAtRandomTest {
    @TempDir Path dir;
    private final PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    private static final List<String> OVERRIDES = List.of("run.steps=24", "run.checkpoint_every=1", "run.eval_every=8");

    @Test
    void killsAtRandomMomentsLoseNothingButTheStepsInFlight() throws Exception {
        Path spec = TestSpecs.write(dir);
        Path killed = dir.resolve("killed");
        SplittableRandom rnd = new SplittableRandom(42);
        int kills = 0, finishedInChild = 0;
        for (int attempt = 0; attempt < 6; attempt++) {
            String mode = !Files.exists(killed.resolve(Checkpoint.RUN_MARKER)) ? "new"
                    : Checkpoint.latestInRun(killed) != null ? "resume" : "overwrite";
            Process child = start(spec, killed, mode);
            boolean ended = child.waitFor(300 + rnd.nextInt(2000), TimeUnit.MILLISECONDS);
            if (ended) {
                assertEquals(0, child.exitValue(), () -> read(dir.resolve("child.log")));
                finishedInChild++;
                break;
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            kills++;
            Path latest = Checkpoint.latestInRun(killed);
            if (latest != null) Checkpoint.load(latest, TestSpecs.REGISTRY); // whole, or this throws
        }
        assertTrue(kills > 0, "no kill landed");
        RunSpec s = new SpecLoader(TestSpecs.REGISTRY).load(spec, OVERRIDES);
        if (finishedInChild == 0) {
            boolean resumable = Checkpoint.latestInRun(killed) != null;
            new TrainingRun(TestSpecs.REGISTRY, quiet).run(s, new TrainingRun.Options(killed, null, resumable, !resumable, List.of()));
        }
        TrainingRun.Outcome whole = new TrainingRun(TestSpecs.REGISTRY, quiet).run(s, new TrainingRun.Options(dir.resolve("whole"), null, false, false, List.of()));
        var done = Checkpoint.load(killed, TestSpecs.REGISTRY).model().parameters();
        for (var e : whole.model().parameters().entrySet()) assertArrayEquals(e.getValue().toArray(), done.get(e.getKey()).toArray(), e.getKey());
        List<String> hidden = new ArrayList<>();
        try (Stream<Path> files = Files.walk(killed)) {
            files.filter(p -> p.getFileName().toString().startsWith(".")).forEach(p -> hidden.add(killed.relativize(p).toString()));
        }
        assertEquals(List.of(), hidden, "temporary folders of killed saves are cleaned up by the next run");
    }

    private Process start(Path spec, Path out, String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                KillChild.class.getName(), spec.toString(), out.toString(), mode));
        cmd.addAll(OVERRIDES);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    }

    private static String read(Path p) {
        try { return Files.readString(p); } catch (IOException e) { return "(no log)"; }
    }
}
