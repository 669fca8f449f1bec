package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.run.TrainingRun;

/** Tiny studies run for real in child JVMs: run, skip, drift, kill and restart, failures. */
class StudyRunTest {
    @TempDir Path dir;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final PrintStream quiet = new PrintStream(log, true);

    /** Counts the runs an executor starts. */
    static final class Counting implements Executor {
        final Executor inner;
        final AtomicInteger started = new AtomicInteger();

        Counting(Executor inner) { this.inner = inner; }

        @Override public int slots() { return inner.slots(); }
        @Override public String describe() { return inner.describe(); }
        @Override public Job start(Task task) throws IOException {
            started.incrementAndGet();
            return inner.start(task);
        }
    }

    /** Child JVMs of one thread; C1 only, since a tiny run is over before C2 would pay off. */
    static LocalExecutor local(int jobs, String... options) {
        List<String> o = new java.util.ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
        o.addAll(List.of(options));
        return new LocalExecutor(jobs, 1, o);
    }

    StudyRunner.Outcome run(Path study, Path out, Executor ex) throws Exception {
        Study s = Study.load(study, TestStudies.REGISTRY);
        StudyRunner runner = new StudyRunner(TestStudies.REGISTRY, quiet);
        return runner.run(s, out, runner.plan(s, out), ex);
    }

    Map<String, RunState> states(Path study, Path out) throws IOException {
        Study s = Study.load(study, TestStudies.REGISTRY);
        Map<String, RunState> m = new java.util.LinkedHashMap<>();
        for (StudyRunner.Entry e : new StudyRunner(TestStudies.REGISTRY, quiet).plan(s, out)) m.put(e.run().name(), e.state());
        return m;
    }

    @Test void aStudyRunsThenSkipsEverythingAndRefusesARunFolderThatDrifted() throws Exception {
        Path study = TestStudies.write(dir, TestStudies.STUDY), out = dir.resolve("out");
        StudyRunner.Outcome o = run(study, out, local(2));
        assertEquals(4, o.finished(), log.toString());
        assertTrue(o.complete());
        assertTrue(log.toString().contains("[4/4 done, 0 running, 0 failed] study complete"), log.toString());

        // The child trained exactly the arm and seed's spec: the same losses as training it here.
        Study s = Study.load(study, TestStudies.REGISTRY);
        Study.Run alibi1 = s.run("alibi/seed-1");
        TrainingRun.Outcome here = new TrainingRun(TestStudies.REGISTRY, quiet).run(alibi1.spec(),
                new TrainingRun.Options(dir.resolve("here"), null, false, false, List.of()));
        double child = Metrics.of(alibi1.folder(out)).get("loss");
        assertEquals(here.result().finalHeldOutLoss(), child, 1e-4 * child);
        assertTrue(Math.abs(child - Metrics.of(s.run("alibi/seed-0").folder(out)).get("loss")) > 1e-6, "another seed, another run");

        // Again: everything is skipped.
        assertEquals(Map.of(RunState.FINISHED, 4L), states(study, out).values().stream()
                .collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.stream.Collectors.counting())));
        Counting again = new Counting(local(2));
        StudyRunner.Outcome o2 = run(study, out, again);
        assertEquals(0, again.started.get());
        assertEquals(4, o2.skipped());
        assertEquals(2, Report.read(out).checks().getFirst().difference().n());

        // A changed arm no longer matches its run folder: refused before anything starts, naming what differs.
        Files.writeString(study, TestStudies.STUDY.replace("{model.positional.id: alibi}", "{model.positional.id: alibi, optim.lr: 0.02}"));
        String m = assertThrows(IOException.class, () -> states(study, out)).getMessage();
        assertTrue(m.contains("runs/alibi/seed-0: holds a run of another spec") && m.contains("optim.lr 0.01 -> 0.02"), m);
        // So does changed data under the same spec.
        Files.writeString(study, TestStudies.STUDY);
        Files.writeString(dir.resolve("text.txt"), Files.readString(dir.resolve("text.txt")).replace("firmament", "expanse"));
        m = assertThrows(IOException.class, () -> states(study, out)).getMessage();
        assertTrue(m.contains("runs/rope/seed-0: was trained on other data"), m);
    }

    @Test void aStudyKilledMidwayRestartsWithoutRedoingFinishedRuns() throws Exception {
        Path study = TestStudies.write(dir, TestStudies.STUDY), out = dir.resolve("out");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                StudyMain.class.getName(), study.toString(), out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("study.log").toFile()).start();
        Path first = out.resolve("runs/rope/seed-0"), second = out.resolve("runs/alibi/seed-0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.isRegularFile(first.resolve("model/metrics.json")) && Files.isRegularFile(second.resolve("checkpoints/latest")))) {
            assertTrue(parent.isAlive(), () -> "the study ended early: " + read(dir.resolve("study.log")));
            assertTrue(System.nanoTime() < deadline, "no checkpoint of the second run after 120 s");
            Thread.sleep(20);
        }
        parent.destroyForcibly(); // SIGKILL: the study process gets no chance to stop its run; the run notices
        assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
        String finished = Files.readString(first.resolve("model/metrics.json"));
        long stamp = Files.getLastModifiedTime(first.resolve("model/metrics.json")).toMillis();

        Map<String, RunState> states = states(study, out); // waits until the orphaned run has written its checkpoint
        assertEquals(Map.of("rope/seed-0", RunState.FINISHED, "alibi/seed-0", RunState.INTERRUPTED, "rope/seed-1", RunState.NEW,
                "alibi/seed-1", RunState.NEW), states);
        Counting ex = new Counting(local(2));
        StudyRunner.Outcome o = run(study, out, ex);
        assertTrue(o.complete(), log.toString());
        assertEquals(3, ex.started.get(), "the finished run is not started again");
        assertEquals(finished, Files.readString(first.resolve("model/metrics.json")));
        assertEquals(stamp, Files.getLastModifiedTime(first.resolve("model/metrics.json")).toMillis());
        String resumed = read(out.resolve("logs/alibi-seed-0.log"));
        assertTrue(resumed.contains("stopping after a checkpoint") && resumed.contains("resuming from"), resumed);
        // Every step is in the resumed run's metrics once.
        List<Integer> steps = Files.readAllLines(second.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"lr\""))
                .map(l -> Integer.parseInt(l.replaceAll(".*\"step\":([0-9]+).*", "$1"))).toList();
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 12).boxed().toList(), steps);
    }

    @Test void aSystematicFailureStopsTheStudyAndAnIsolatedOneDoesNot() throws Exception {
        Path study = TestStudies.write(dir, TestStudies.STUDY);
        // Every run fails the same way: the study stops after the first two.
        StudyRunner.Outcome o = run(study, dir.resolve("same"), local(1, "-Dablate.test.fail=true"));
        assertEquals(2, o.failed(), log.toString());
        assertTrue(o.reason().contains("the first two runs failed with the same error") && o.reason().contains("test failure at step 2"), o.reason());
        assertFalse(Files.exists(dir.resolve("same/runs/rope/seed-1")), "no run started after the stop");

        // The baseline's loss is not finite: stop at once.
        o = run(study, dir.resolve("nan"), local(1, "-Dablate.test.nanArm=rope"));
        assertEquals(1, o.failed());
        assertTrue(o.reason().contains("the baseline's loss is not finite"), o.reason());

        // Only one arm fails: the study goes on; run again, it reruns just the failed runs.
        Path out = dir.resolve("isolated");
        o = run(study, out, local(2, "-Dablate.test.nanArm=alibi"));
        assertNull(o.reason(), log.toString());
        assertEquals(2, o.finished());
        assertEquals(2, o.failed());
        assertEquals(Map.of("rope/seed-0", RunState.FINISHED, "alibi/seed-0", RunState.FAILED, "rope/seed-1", RunState.FINISHED,
                "alibi/seed-1", RunState.FAILED), states(study, out));
        Counting ex = new Counting(local(2));
        assertTrue(run(study, out, ex).complete(), log.toString());
        assertEquals(2, ex.started.get());
    }

    private static String read(Path p) {
        try { return Files.readString(p); } catch (IOException e) { return "(no log)"; }
    }
}
