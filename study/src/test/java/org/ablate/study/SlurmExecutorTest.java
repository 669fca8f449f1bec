package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm executor against a real Slurm ({@code .ci/start-slurm.sh} starts a one-node cluster on loopback): a tiny
 * study run as one job array gives bit for bit the results of the local executor at the same threads per run, and
 * running it again submits only what is missing. Without Slurm the test is skipped, unless {@code ABLATE_SLURM=1} says
 * the cluster was set up, in which case a missing Slurm fails it.
 */
class SlurmExecutorTest {
    @TempDir Path dir;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final PrintStream quiet = new PrintStream(log, true);

    /** Skips (or, with ABLATE_SLURM=1, fails) unless sbatch, squeue and scancel are on the PATH and a node answers. */
    static void requireSlurm() throws Exception {
        boolean required = "1".equals(System.getenv("ABLATE_SLURM"));
        String why = null;
        List<String> missing = SlurmExecutor.missingCommands();
        if (!missing.isEmpty()) {
            why = String.join(", ", missing) + " not on the PATH";
        } else {
            SlurmExecutor.Result r = SlurmExecutor.exec(List.of("sinfo", "-h", "-o", "%t"));
            if (r.status() != 0 || !r.output().matches("(?s).*\\b(idle|mix|alloc)\\b.*")) why = "sinfo shows no usable node: " + r.output().strip();
        }
        if (why == null) return;
        if (required) fail("ABLATE_SLURM=1 says Slurm was set up, but " + why);
        Assumptions.abort("Slurm is not available (" + why + "); .ci/start-slurm.sh starts a one-node cluster");
    }

    StudyRunner.Outcome run(Path study, Path out, Executor ex) throws Exception {
        Study s = Study.load(study, TestStudies.REGISTRY);
        StudyRunner runner = new StudyRunner(TestStudies.REGISTRY, quiet);
        ex.prepare(out);
        return runner.run(s, out, runner.plan(s, out), ex);
    }

    /** Each logged step's losses (training and held-out) as written, without timings. */
    static List<String> losses(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(l -> l.replaceAll("\"(tokens_per_second|elapsed_seconds|seconds|time)\":[^,}]*,?", "")).toList();
    }

    @Test void aJobArrayGivesTheLocalExecutorsResultsBitForBitAndResubmitsOnlyWhatIsMissing() throws Exception {
        requireSlurm();
        Path study = TestStudies.write(dir, TestStudies.STUDY);
        List<String> jvm = List.of("-XX:TieredStopAtLevel=1");
        Path local = dir.resolve("local"), slurm = dir.resolve("slurm");
        assertTrue(run(study, local, new LocalExecutor(2, 1, jvm)).complete(), log.toString());

        SlurmExecutor ex = new SlurmExecutor(2, 1, 4, jvm, List.of("--job-name=ablate-test"));
        StudyRunner.Outcome o = run(study, slurm, ex);
        assertTrue(o.complete(), log.toString());
        assertEquals(4, o.finished());
        assertTrue(log.toString().contains("submitted alibi/seed-1 (to run)"), log.toString());
        List<String> jobs = Files.readAllLines(slurm.resolve("slurm/jobs"));
        assertEquals(1, jobs.size(), "one job array for the four runs");
        String first = Files.readString(slurm.resolve("logs/rope-seed-0.log"));
        assertTrue(first.contains("slurm task " + jobs.getFirst() + "_0 on ") && first.contains("step 12: held-out loss"), first);

        Study s = Study.load(study, TestStudies.REGISTRY);
        for (Study.Run r : s.runs()) {
            Path a = r.folder(local), b = r.folder(slurm);
            assertEquals(losses(a), losses(b), r.name() + ": the same losses at every step");
            assertSameWeights(a, b, r.name() + ": the same final weights");
        }
        assertTrue(losses(s.run("rope/seed-0").folder(slurm)).size() > 12, "a step line per step and the evaluations");

        // Two runs lost: the next start submits those two alone, and one of them is requeued mid-run as a preemption
        // would be: Slurm stops it (SIGTERM: a checkpoint), runs the task again, and the task resumes the run.
        Study.Run lost = s.run("alibi/seed-0"), preempted = s.run("rope/seed-1");
        deleteTree(lost.folder(slurm));
        deleteTree(preempted.folder(slurm));
        log.reset();
        SlurmExecutor slow = new SlurmExecutor(2, 1, 4, List.of("-XX:TieredStopAtLevel=1", "-Dablate.test.stepMillis=250"), List.of());
        var second = java.util.concurrent.Executors.newSingleThreadExecutor().submit(() -> run(study, slurm, slow));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.isRegularFile(preempted.folder(slurm).resolve("checkpoints/latest"))) {
            assertFalse(second.isDone(), () -> "the study ended before the run's first checkpoint: " + log);
            assertTrue(System.nanoTime() < deadline, "no checkpoint after 60 s");
            Thread.sleep(50);
        }
        jobs = Files.readAllLines(slurm.resolve("slurm/jobs"));
        assertEquals(2, jobs.size(), "a second job array");
        // Another study process on this folder would be refused while the array runs.
        String busy = assertThrows(IOException.class, () -> slow.prepare(slurm)).getMessage();
        assertTrue(busy.contains("of Slurm job " + jobs.getLast() + ", submitted for this study earlier, are still queued or running"), busy);
        List<String> manifest;
        try (var m = Files.list(slurm.resolve("slurm"))) {
            manifest = Files.readAllLines(m.filter(p -> p.getFileName().toString().startsWith("array-")).sorted().toList().getLast());
        }
        List<String> names = manifest.stream().map(l -> l.split("\t")[0]).toList();
        assertEquals(List.of("alibi/seed-0", "rope/seed-1"), names, "only the missing runs");
        String task = jobs.getLast() + "_" + names.indexOf("rope/seed-1");
        Path exit = slurm.resolve("logs/rope-seed-1.exit");
        java.nio.file.attribute.FileTime requeueTime = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusMillis(10));
        assertEquals(0, SlurmExecutor.exec(List.of("scontrol", "requeue", task)).status());
        // A requeued task waits for a begin time; let it start again at once, but only once the first instance has
        // ended (its script writes the exit file last): squeue already says PENDING while it is still writing its
        // checkpoint, and a second instance started then is ended by the first one's completion.
        while (!Files.isRegularFile(exit) || Files.getLastModifiedTime(exit).compareTo(requeueTime) < 0) {
            assertTrue(System.nanoTime() < deadline + 60_000_000_000L, "the requeued task's first instance did not end");
            Thread.sleep(100);
        }
        Thread.sleep(1000); // its completion reaching the controller
        while (!SlurmExecutor.exec(List.of("squeue", "-h", "-j", task, "-o", "%T")).output().contains("PENDING")) Thread.sleep(100);
        SlurmExecutor.Result r = SlurmExecutor.exec(List.of("scontrol", "update", "JobId=" + task, "StartTime=now"));
        assertEquals(0, r.status(), r.output());
        o = second.get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(o.complete(), log.toString());
        assertEquals(2, o.skipped());
        assertEquals(4, o.finished(), "two skipped, two run");
        String requeued = Files.readString(slurm.resolve("logs/rope-seed-1.log"));
        assertTrue(requeued.contains("start 2") && requeued.contains("resuming from"), requeued);
        for (Study.Run run : List.of(lost, preempted)) {
            assertEquals(losses(run.folder(local)), losses(run.folder(slurm)), run.name() + ": rerun or resumed, the same losses");
            assertSameWeights(run.folder(local), run.folder(slurm), run.name() + ": rerun or resumed, still the local executor's weights");
        }
    }

    @Test void aSystematicFailureCancelsTheTasksStillQueued() throws Exception {
        requireSlurm();
        Path study = TestStudies.write(dir, TestStudies.STUDY), out = dir.resolve("out");
        // One task at a time, each failing the same way: after the first two the study cancels the two still queued.
        StudyRunner.Outcome o = run(study, out, new SlurmExecutor(1, 1, 4, List.of("-XX:TieredStopAtLevel=1", "-Dablate.test.fail=true"), List.of()));
        assertTrue(o.reason() != null && o.reason().contains("the first two runs failed with the same error") && o.reason().contains("test failure at step 2"),
                log.toString());
        assertTrue(log.toString().contains("stopping the study"), log.toString());
        // Slurm may start the next task in the moment between the second failure and the study seeing it (the array
        // throttle frees a slot as the task ends); the stop cancels that one too. The last run never starts.
        assertFalse(Files.exists(out.resolve("runs/alibi/seed-1")), "no run started after the stop");
        assertEquals(0, o.finished(), "no run finished");
        String left = SlurmExecutor.exec(List.of("squeue", "-h", "-j", Files.readString(out.resolve("slurm/jobs")).strip())).output();
        assertEquals("", left.strip(), "nothing left in the queue");
    }

    @Test void missingSlurmCommandsAreNamed() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path sbatch = Files.writeString(bin.resolve("sbatch"), "#!/bin/sh\n");
        assertTrue(sbatch.toFile().setExecutable(true));
        assertEquals(List.of("squeue", "scancel"), SlurmExecutor.missingCommands(bin.toString()));
        assertEquals(SlurmExecutor.COMMANDS, SlurmExecutor.missingCommands(dir.resolve("nothing").toString()));
        assertEquals(List.of(), SlurmExecutor.missingCommands(bin + ":" + System.getenv("PATH")).stream().filter(c -> c.equals("sbatch")).toList());
    }

    @Test void theTaskScriptRunsTheRunOnItsLineWithTheSameWorkerAsTheLocalExecutor() throws IOException {
        Path study = TestStudies.write(dir, TestStudies.STUDY);
        Study s = Study.load(study, TestStudies.REGISTRY);
        Executor.Task t = new Executor.Task(study, dir.resolve("out"), s.run("rope/seed-0"), RunState.NEW);
        String script = new SlurmExecutor(2, 3, 4, List.of("-Xmx1g"), List.of()).script(t);
        List<String> local = new LocalExecutor(2, 3, List.of("-Xmx1g")).command(t);
        // The same JVM, options and worker; the run named by the task's line, its mode read from its folder, no parent to watch.
        String javaPart = String.join(" ", local.subList(0, local.size() - 6).stream().map(SlurmExecutor::quote).toList());
        assertTrue(script.contains(javaPart + " " + SlurmExecutor.quote(study.toAbsolutePath().toString())), script);
        assertTrue(script.contains("\"$name\" \"$id\" auto 0 >> \"$log\" 2>&1"), script);
        assertTrue(script.contains("-XX:ActiveProcessorCount=3"), script);
        assertFalse(script.contains("-Xmx1g -Xmx"), "the JVM options' heap is the only one");
        assertEquals("'a b'\\''c'", SlurmExecutor.quote("a b'c"));
    }

    /** Every tensor of the two runs' final models, bit for bit (the file's metadata header may list its entries in another order). */
    static void assertSameWeights(Path a, Path b, String what) throws IOException {
        try (SafetensorsFile x = Safetensors.open(a.resolve("model/model.safetensors")); SafetensorsFile y = Safetensors.open(b.resolve("model/model.safetensors"))) {
            assertEquals(x.names(), y.names(), what);
            assertFalse(x.names().isEmpty());
            for (String n : x.names()) {
                float[] u = x.tensor(n).toArray(), v = y.tensor(n).toArray();
                assertEquals(u.length, v.length, what + ": " + n);
                for (int i = 0; i < u.length; i++) {
                    if (Float.floatToRawIntBits(u[i]) != Float.floatToRawIntBits(v[i])) fail(what + ": " + n + "[" + i + "] " + u[i] + " vs " + v[i]);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
