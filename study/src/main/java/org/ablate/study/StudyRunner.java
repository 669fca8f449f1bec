package org.ablate.study;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.ablate.platform.ComponentRegistry;

/**
 * Runs a study into a study folder: {@code study.json} (the plan: arms, seeds, metrics, expectations and each
 * run's identity), {@code runs/ARM/seed-N/} (run folders as {@code ablate train} writes them), {@code logs/}.
 * Running it again skips finished runs, resumes interrupted ones, reruns failed ones, and refuses, before
 * anything starts, a run folder whose spec or data drifted. The same error in the first two runs to end, or a
 * non-finite loss in the baseline, stops the study early; an isolated failure does not.
 */
public final class StudyRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, String>> STRING_MAP = new com.fasterxml.jackson.core.type.TypeReference<>() {};

    /** A run and what it needs. */
    public record Entry(Study.Run run, RunState state) {}

    /**
     * How a study ended.
     *
     * @param reason why it stopped early, or {@code null}
     */
    public record Outcome(int finished, int failed, int skipped, String reason) {
        public boolean complete() { return reason == null && failed == 0; }
    }

    private final PrintStream out;
    private final ComponentRegistry registry;

    public StudyRunner(ComponentRegistry registry, PrintStream out) {
        this.registry = registry;
        this.out = out;
    }

    /** Each run's state, after checking no folder drifted (and waiting for runs of an earlier, killed study process to stop). */
    public List<Entry> plan(Study study, Path dir) throws IOException {
        Path studyLock = dir.resolve("locks").resolve("study.lock");
        if (Files.isRegularFile(studyLock)) {
            try (FileChannel ch = FileChannel.open(studyLock, StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
                if (lock == null) throw new IOException(dir + ": another ablate study is running on this folder; wait for it, or stop it (Ctrl-C) first");
            }
        }
        waitForEarlierRuns(study, dir);
        JsonNode old = readManifest(dir);
        Map<String, String> recorded = new LinkedHashMap<>();
        Map<String, Map<String, String>> recordedComponents = new LinkedHashMap<>();
        if (old != null) {
            for (JsonNode r : old.path("runs")) {
                recorded.put(r.path("name").asText(), r.path("data_sha256").asText(null));
                // A study.json written before versions were recorded has none: nothing to compare.
                if (r.path("components").isObject()) recordedComponents.put(r.path("name").asText(), JSON.convertValue(r.get("components"), STRING_MAP));
            }
        }
        List<Entry> out = new ArrayList<>();
        for (Study.Run r : study.runs()) out.add(new Entry(r, RunState.of(dir, r, recorded.get(r.name()), recordedComponents.get(r.name()))));
        return out;
    }

    /** Prints the plan: arms with sizes, runs with identities and states, the executor. */
    public void print(Study study, Path dir, List<Entry> plan, Executor executor) throws IOException {
        StudySpec s = study.spec();
        out.printf(Locale.ROOT, "study: %s (%s), %d arms x %d seeds = %d runs, baseline %s, into %s%n", s.name(), s.file(), s.arms().size(),
                s.seeds().size(), study.runs().size(), s.baseline(), dir);
        List<Study.Size> sizes = study.sizes(registry);
        int w = Math.max(4, s.arms().stream().mapToInt(a -> a.name().length()).max().orElse(4));
        out.printf(Locale.ROOT, "  %-" + w + "s  %12s  %14s  %s%n", "arm", "parameters", "FLOPs/token", "overrides");
        for (int i = 0; i < sizes.size(); i++) {
            Study.Size z = sizes.get(i);
            StudySpec.Arm arm = s.arms().stream().filter(a -> a.name().equals(z.arm())).findFirst().orElseThrow();
            out.printf(Locale.ROOT, "  %-" + w + "s  %,12d  %,14d  %s%n", z.arm(), z.parameters(), z.flopsPerToken(),
                    arm.overrides().isEmpty() ? "(base)" : String.join(" ", arm.overrides()));
        }
        String warning = study.parameterWarning(sizes);
        if (warning != null) out.println(warning);
        Map<RunState, Integer> counts = new LinkedHashMap<>();
        for (Entry e : plan) {
            counts.merge(e.state(), 1, Integer::sum);
            out.printf(Locale.ROOT, "  %-" + (w + 12) + "s  id %s  %s%n", e.run().name(), e.run().id().substring(0, 12), e.state().label);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> parts.add(v + " " + k.label));
        out.println("runs: " + String.join(", ", parts) + "; executor " + executor.describe());
        String estimate = estimate(dir, plan, executor);
        if (estimate != null) out.println(estimate);
    }

    /** The time left, from the throughput of this study's finished runs; {@code null} before any finished. */
    private static String estimate(Path dir, List<Entry> plan, Executor executor) throws IOException {
        double tps = 0;
        int n = 0;
        for (Entry e : plan) {
            if (e.state() != RunState.FINISHED) continue;
            double t = Metrics.of(e.run().folder(dir)).get("tokens_per_second");
            if (t > 0) { tps += t; n++; }
        }
        if (n == 0) return null;
        tps /= n;
        double tokens = 0;
        for (Entry e : plan) if (e.state() != RunState.FINISHED) tokens += e.run().spec().run().steps() * (double) e.run().spec().run().tokensPerStep();
        if (tokens == 0) return null;
        return String.format(Locale.ROOT, "estimated: about %.0f min of training left (%,.0f tokens/s per run measured on finished runs, %d at once)",
                tokens / tps / executor.slots() / 60, tps, executor.slots());
    }

    /** Runs what the plan says is left; returns when every run ended or the study stopped early. */
    public Outcome run(Study study, Path dir, List<Entry> plan, Executor executor) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path lockPath = Files.createDirectories(dir.resolve("locks")).resolve("study.lock");
        try (FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
            if (lock == null) throw new IOException(dir + ": another ablate study is running on this folder");
            writeManifest(study, dir, executor);
            return loop(study, dir, plan, executor);
        }
    }

    private Outcome loop(Study study, Path dir, List<Entry> plan, Executor executor) throws InterruptedException, IOException {
        Deque<Entry> queue = new ArrayDeque<>();
        int skipped = 0;
        for (Entry e : plan) {
            if (e.state() == RunState.FINISHED) skipped++;
            else queue.add(e);
        }
        int total = plan.size();
        int[] done = {skipped}, failed = {0};
        Map<Entry, Executor.Job> running = new LinkedHashMap<>();
        Map<Entry, Long> started = new LinkedHashMap<>();
        List<String> endedErrors = new ArrayList<>(); // the first runs to end: null for a success
        String reason = null;
        if (skipped > 0) out.printf(Locale.ROOT, "skipping %d finished %s%n", skipped, skipped == 1 ? "run" : "runs");
        Thread hook = new Thread(() -> {
            synchronized (running) {
                running.values().forEach(Executor.Job::stop);
                for (Executor.Job j : running.values()) {
                    try { j.await(120); } catch (InterruptedException e) { return; }
                }
            }
        }, "ablate-study-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long lastStatus = System.nanoTime();
        try {
            while (!queue.isEmpty() || !running.isEmpty()) {
                synchronized (running) {
                    // A scheduler takes every run left at once; else keep the executor's slots busy.
                    List<Entry> batch = new ArrayList<>();
                    while (reason == null && (executor.queues() || running.size() + batch.size() < executor.slots()) && !queue.isEmpty()) batch.add(queue.poll());
                    List<Executor.Job> jobs = batch.isEmpty() ? List.of()
                            : executor.startAll(batch.stream().map(e -> new Executor.Task(study.spec().file(), dir, e.run(), e.state())).toList());
                    for (int i = 0; i < batch.size(); i++) {
                        Entry e = batch.get(i);
                        running.put(e, jobs.get(i));
                        started.put(e, System.nanoTime());
                        out.printf(Locale.ROOT, "%s %s %s (%s)%n", counts(done[0], running.size(), failed[0], total), executor.queues() ? "submitted" : "started",
                                e.run().name(), e.state().label);
                    }
                }
                Thread.sleep(200);
                List<Entry> ended = new ArrayList<>();
                synchronized (running) {
                    for (var j : running.entrySet()) if (!j.getValue().alive()) ended.add(j.getKey());
                }
                for (Entry e : ended) {
                    Executor.Job job;
                    synchronized (running) { job = running.remove(e); }
                    double seconds = (System.nanoTime() - started.get(e)) / 1e9;
                    Executor.Task task = new Executor.Task(study.spec().file(), dir, e.run(), e.state());
                    String error = job.exitCode() == 0 ? null : errorOf(task, job.exitCode());
                    if (error == null) {
                        done[0]++;
                        double loss = Metrics.of(e.run().folder(dir)).get("loss");
                        out.printf(Locale.ROOT, "%s finished %s in %.1f s: held-out loss %.4f%n", counts(done[0], running.size(), failed[0], total),
                                e.run().name(), seconds, loss);
                    } else {
                        failed[0]++;
                        out.printf(Locale.ROOT, "%s failed %s after %.1f s: %s (log: %s)%n", counts(done[0], running.size(), failed[0], total),
                                e.run().name(), seconds, error, dir.relativize(task.log()));
                    }
                    endedErrors.add(error == null ? null : normalise(error, e.run(), dir));
                    if (reason == null) reason = systematic(study, e, error, endedErrors);
                    // Stop when runs are left to start: runs not yet started here, or tasks still queued at a scheduler.
                    boolean queuedAtScheduler;
                    synchronized (running) { queuedAtScheduler = running.values().stream().anyMatch(Executor.Job::queued); }
                    if (reason != null && (!queue.isEmpty() || queuedAtScheduler)) {
                        out.println("stopping the study: " + reason);
                        queue.clear();
                        synchronized (running) { running.values().forEach(Executor.Job::stop); }
                    }
                }
                if (!running.isEmpty() && System.nanoTime() - lastStatus > 15e9) {
                    lastStatus = System.nanoTime();
                    List<String> at = new ArrayList<>();
                    double rate = 0, left = 0; // steps per second of the running runs; steps left in the study
                    for (var r : running.entrySet()) {
                        Entry e = r.getKey();
                        int step = Metrics.lastStep(e.run().folder(dir)), steps = e.run().spec().run().steps();
                        at.add(e.run().name() + (r.getValue().queued() ? " queued" : " step " + step + "/" + steps));
                        rate += step / Math.max(1e-9, (System.nanoTime() - started.get(e)) / 1e9);
                        left += steps - step;
                    }
                    for (Entry e : queue) left += e.run().spec().run().steps();
                    String eta = rate > 0 ? String.format(Locale.ROOT, "; about %.0f min left", left / rate / 60) : "";
                    out.println(counts(done[0], running.size(), failed[0], total) + " " + String.join(", ", at) + eta);
                }
            }
        } finally {
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException shuttingDown) { /* the hook stops the runs */ }
        }
        out.printf(Locale.ROOT, "%s study %s%n", counts(done[0], 0, failed[0], total), reason != null ? "stopped early" : failed[0] > 0 ? "ended with failures; run it again to rerun them" : "complete");
        return new Outcome(done[0], failed[0], skipped, reason);
    }

    private static String counts(int done, int running, int failed, int total) {
        return String.format(Locale.ROOT, "[%d/%d done, %d running, %d failed]", done, total, running, failed);
    }

    private static String errorOf(Executor.Task task, int exit) {
        try {
            if (Files.isRegularFile(task.error())) return Files.readString(task.error()).trim();
        } catch (IOException e) {
            // fall through to the exit status
        }
        if (exit == RunWorker.STOPPED) return "stopped after a checkpoint (resumed on the next start)";
        if (exit > 128) return "killed by signal " + (exit - 128) + " (resumed on the next start)";
        // No error line from the run: the JVM itself failed (a bad --jvm-option, too little memory); its last words say why.
        String last = "";
        try {
            for (String l : Files.readAllLines(task.log())) if (!l.isBlank() && !l.startsWith("WARNING: Using incubator")) last = l.trim();
        } catch (IOException e) {
            // no log
        }
        return "exit status " + exit + (last.isEmpty() ? "" : ": " + last);
    }

    /** The error without what differs from run to run (its folder, step numbers, rates), to compare runs' errors. */
    private static String normalise(String error, Study.Run run, Path dir) {
        return error.replace(run.folder(dir).toAbsolutePath().toString(), "RUN").replaceAll("[0-9][0-9.eE+-]*", "#");
    }

    /** Why the study should stop now, or {@code null}. */
    private static String systematic(Study study, Entry e, String error, List<String> ended) {
        if (error == null) return null;
        if (e.run().arm().equals(study.spec().baseline()) && (error.contains("NaN") || error.contains("Infinity"))) {
            return "the baseline's loss is not finite (" + e.run().name() + ": " + error + "); every comparison needs the baseline";
        }
        if (error.startsWith("killed by signal") || error.startsWith("stopped after")) return null; // an interruption, not the runs' fault
        if (ended.size() == 2 && ended.get(0) != null && ended.get(0).equals(ended.get(1))) {
            return "the first two runs failed with the same error (" + error + "); fix it and run the study again";
        }
        return null;
    }

    // --- the study's manifest -------------------------------------------------------------------------

    static JsonNode readManifest(Path dir) throws IOException {
        Path f = dir.resolve("study.json");
        if (!Files.isRegularFile(f)) return null;
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": unreadable (" + e.getMessage() + ")", e);
        }
    }

    private void writeManifest(Study study, Path dir, Executor executor) throws IOException {
        StudySpec s = study.spec();
        ObjectNode m = JSON.createObjectNode();
        m.put("format", "ablate-study");
        m.put("name", s.name());
        m.put("study_file", s.file().toAbsolutePath().normalize().toString());
        m.put("baseline", s.baseline());
        m.put("executor", executor.describe());
        Map<String, Study.Size> sizes = new LinkedHashMap<>();
        for (Study.Size z : study.sizes(registry)) sizes.put(z.arm(), z);
        ArrayNode arms = m.putArray("arms");
        for (StudySpec.Arm a : s.arms()) {
            ObjectNode n = arms.addObject();
            n.put("name", a.name());
            n.set("overrides", JSON.valueToTree(a.overrides()));
            n.put("parameters", sizes.get(a.name()).parameters());
            n.put("flops_per_token", sizes.get(a.name()).flopsPerToken());
        }
        m.set("common", JSON.valueToTree(s.common()));
        m.set("seeds", JSON.valueToTree(s.seeds()));
        m.set("metrics", JSON.valueToTree(s.metrics()));
        m.set("expect", JSON.valueToTree(s.expectations().stream().map(Expectation::text).toList()));
        String warning = study.parameterWarning(new ArrayList<>(sizes.values()));
        if (warning != null) m.put("parameter_warning", warning);
        ArrayNode runs = m.putArray("runs");
        for (Study.Run r : study.runs()) {
            ObjectNode n = runs.addObject();
            n.put("name", r.name());
            n.put("arm", r.arm());
            n.put("seed", r.seed());
            n.put("folder", dir.relativize(r.folder(dir)).toString());
            n.put("id", r.id());
            n.put("spec_sha256", r.spec().hash());
            n.put("data_sha256", r.dataSha256());
            n.set("components", JSON.valueToTree(r.components()));
            n.put("steps", r.spec().run().steps());
        }
        Path tmp = dir.resolve(".study.json.tmp");
        Files.writeString(tmp, JSON.writeValueAsString(m));
        Files.move(tmp, dir.resolve("study.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits (up to two minutes) until no run of this study is held by a worker, e.g. one an earlier, killed study process started. */
    private void waitForEarlierRuns(Study study, Path dir) throws IOException {
        if (!Files.isDirectory(dir.resolve("locks"))) return;
        long deadline = System.nanoTime() + 120_000_000_000L;
        boolean told = false;
        for (Study.Run r : study.runs()) {
            Path f = RunWorker.lockFile(dir, r);
            while (true) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
                    if (lock != null) break;
                }
                if (!told) {
                    out.println("waiting for runs of an earlier study process to write their checkpoints and stop (" + r.name() + ")");
                    told = true;
                }
                if (System.nanoTime() > deadline) throw new IOException(r.folder(dir) + ": still being trained by another process after 2 minutes; is another ablate study running here?");
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + r.name(), e);
                }
            }
        }
    }
}
