package org.ablate.study;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a study's runs as one Slurm job array: {@code sbatch --array=0-(n-1)%N --requeue --cpus-per-task=T}, task i
 * running line i of a manifest the study writes into {@code STUDY_DIR/slurm/}. A task runs the same {@link RunWorker}
 * as {@link LocalExecutor}'s child JVMs (this JDK, this build's jars, the study file, the run's name and identity, every
 * path absolute) with {@code -XX:ActiveProcessorCount=T}, in mode {@code auto}: a task that Slurm requeues after a
 * preemption resumes from the run's latest checkpoint, and a task whose run finished meanwhile does nothing.
 *
 * <p>The study follows the array with {@code squeue} (a task is alive while the queue lists it) and reads how each
 * run ended from an exit-status file its task writes next to the run's log; the results themselves are the run
 * folders, as with any executor, so the cluster's file system must be shared with the submitting machine.
 * {@link Job#stop()} cancels the task ({@code scancel}): Slurm sends SIGTERM and the run writes a checkpoint.
 */
public final class SlurmExecutor implements Executor {
    /** The Slurm commands it needs on the PATH. */
    public static final List<String> COMMANDS = List.of("sbatch", "squeue", "scancel");

    private final int concurrent;
    private final int threads;
    private final int runs;
    private final List<String> jvmOptions;
    private final List<String> sbatchOptions;

    /**
     * @param concurrent    tasks running at once (the array's {@code %N}); 0: as many as the cluster gives
     * @param threads       threads (and {@code --cpus-per-task}) of each run
     * @param runs          runs of the study, for {@link #slots()} when {@code concurrent} is 0
     * @param jvmOptions    more options for each run's JVM (e.g. {@code -Xmx8g})
     * @param sbatchOptions more options for {@code sbatch} (e.g. {@code --partition=cpu}, {@code --time=2:00:00})
     */
    public SlurmExecutor(int concurrent, int threads, int runs, List<String> jvmOptions, List<String> sbatchOptions) {
        if (concurrent < 0 || threads < 1) throw new IllegalArgumentException("--jobs must be at least 0 and threads per run at least 1, got " + concurrent + " and " + threads);
        this.concurrent = concurrent;
        this.threads = threads;
        this.runs = Math.max(1, runs);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.sbatchOptions = List.copyOf(sbatchOptions);
    }

    /** The Slurm commands missing from the PATH, empty when all are there. */
    public static List<String> missingCommands() { return missingCommands(System.getenv("PATH")); }

    /** The Slurm commands missing from the search path {@code path}. */
    static List<String> missingCommands(String path) {
        List<String> missing = new ArrayList<>();
        for (String c : COMMANDS) if (onPath(c, path) == null) missing.add(c);
        return missing;
    }

    /** Where {@code command} is on the search path {@code path}, or {@code null}. */
    static Path onPath(String command, String path) {
        if (path == null) return null;
        for (String d : path.split(File.pathSeparator)) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    @Override public int slots() { return concurrent > 0 ? concurrent : runs; }

    @Override public boolean queues() { return true; }

    /** Threads of each run. */
    public int threads() { return threads; }

    @Override public String describe() {
        return "slurm: one job array, " + (concurrent > 0 ? "at most " + concurrent + " tasks at once" : "as many tasks at once as the cluster gives")
                + ", " + threads + (threads == 1 ? " thread" : " threads") + " each (--cpus-per-task=" + threads + ")"
                + (sbatchOptions.isEmpty() ? "" : ", sbatch " + String.join(" ", sbatchOptions));
    }

    @Override public Job start(Task task) throws IOException { return startAll(List.of(task)).getFirst(); }

    /** Submits {@code tasks} as one job array, recording its job id in {@code STUDY_DIR/slurm/jobs}. */
    @Override public List<Job> startAll(List<Task> tasks) throws IOException {
        if (tasks.isEmpty()) return List.of();
        Path dir = tasks.getFirst().studyDir().toAbsolutePath();
        Path slurm = Files.createDirectories(dir.resolve("slurm"));
        Files.createDirectories(dir.resolve("logs"));
        Path script = slurm.resolve("task.sh");
        Files.writeString(script, script(tasks.getFirst()));
        script.toFile().setExecutable(true);
        Path manifest = slurm.resolve("array-" + System.currentTimeMillis() + ".tsv");
        StringBuilder lines = new StringBuilder();
        for (Task t : tasks) {
            Files.deleteIfExists(t.error());
            Files.deleteIfExists(exitFile(t));
            lines.append(t.run().name()).append('\t').append(t.run().id()).append('\t').append(t.log().toAbsolutePath())
                    .append('\t').append(exitFile(t).toAbsolutePath()).append('\n');
        }
        Files.writeString(manifest, lines);
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--job-name=ablate-" + dir.getFileName(),
                "--array=0-" + (tasks.size() - 1) + (concurrent > 0 ? "%" + concurrent : ""), "--requeue", "--ntasks=1",
                "--cpus-per-task=" + threads, "--chdir=" + dir, "--open-mode=append", "--output=" + dir.resolve("logs").resolve("slurm-%A_%a.out")));
        cmd.addAll(sbatchOptions);
        cmd.add(script.toString());
        cmd.add(manifest.toString());
        Result r = exec(cmd);
        String jobId = r.output().strip().split(";")[0];
        if (r.status() != 0 || !jobId.matches("[0-9]+")) {
            throw new IOException("sbatch failed (exit status " + r.status() + "): " + r.output().strip().replace('\n', ' '));
        }
        Files.writeString(slurm.resolve("jobs"), jobId + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Array array = new Array(jobId);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) jobs.add(new ArrayTask(array, i, tasks.get(i)));
        return jobs;
    }

    /** Refuses while tasks of an array submitted earlier for this study folder are still queued or running. */
    @Override public void prepare(Path studyDir) throws IOException {
        Path jobs = studyDir.resolve("slurm").resolve("jobs");
        if (!Files.isRegularFile(jobs)) return;
        for (String id : Files.readAllLines(jobs)) {
            if (id.isBlank()) continue;
            Map<Integer, String> left = new Array(id.strip()).query();
            if (left != null && !left.isEmpty()) {
                throw new IOException(studyDir + ": " + left.size() + " task(s) of Slurm job " + id.strip() + ", submitted for this study earlier, are still queued"
                        + " or running; wait for them (squeue -j " + id.strip() + ") or cancel them (scancel " + id.strip() + "), then run the study again");
            }
        }
    }

    /** The file a task writes its worker's exit status to. */
    static Path exitFile(Task t) {
        return t.studyDir().resolve("logs").resolve(t.run().arm() + "-seed-" + t.run().seed() + ".exit");
    }

    /** The batch script: the run on the manifest's line SLURM_ARRAY_TASK_ID + 1, its output appended to the run's log. */
    String script(Task any) {
        List<String> java = LocalExecutor.javaCommand(threads, jvmOptions, 0);
        StringBuilder cmd = new StringBuilder();
        for (String a : java) cmd.append(quote(a)).append(' ');
        cmd.append(quote(any.studyFile().toAbsolutePath().toString())).append(' ').append(quote(any.studyDir().toAbsolutePath().toString()))
                .append(" \"$name\" \"$id\" auto 0");
        return """
                #!/bin/bash
                # One task of an Ablate study's Slurm job array (written by ablate study --executor slurm): the run on line
                # SLURM_ARRAY_TASK_ID + 1 of the manifest $1 (name, identity, log, exit-status file, tab-separated).
                line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$1")
                IFS=$'\\t' read -r name id log status_file <<< "$line"
                if [ -z "$status_file" ]; then echo "no run on line $((SLURM_ARRAY_TASK_ID + 1)) of $1" >&2; exit 2; fi
                echo "slurm task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), start $((${SLURM_RESTART_COUNT:-0} + 1))" >> "$log"
                # On SIGTERM (scancel, preemption, time limit) the run writes a checkpoint and stops; this script waits
                # for it, then records its exit status.
                trap 'true' TERM
                %s >> "$log" 2>&1
                status=$?
                echo "$status" > "$status_file.tmp" && mv "$status_file.tmp" "$status_file"
                exit "$status"
                """.formatted(cmd.toString().strip());
    }

    /** {@code s} quoted for bash. */
    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    record Result(int status, String output) {}

    static Result exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.getFirst() + " did not answer within 60 s");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(cmd.getFirst() + " interrupted", e);
        }
    }

    /** How long a task that ended by a signal is given to reappear in the queue (requeued) before it counts as ended. */
    static final int REQUEUE_GRACE_SECONDS = 10;

    /** A submitted array's tasks as {@code squeue} lists them, asked at most once a second whatever many tasks ask. */
    static final class Array {
        private final String jobId;
        private Map<Integer, String> states = Map.of();
        private long asked;
        private boolean warned;

        Array(String jobId) { this.jobId = jobId; }

        synchronized String state(int index) {
            if (System.nanoTime() - asked > 1_000_000_000L) return fresh(index);
            return states.get(index);
        }

        /** The task's state from a query made now. */
        synchronized String fresh(int index) {
            asked = System.nanoTime();
            Map<Integer, String> now = query();
            if (now != null) states = now;
            return states.get(index);
        }

        /** Task index to state of every task the queue still lists; {@code null} when squeue failed (keep what was known). */
        Map<Integer, String> query() {
            Result r;
            try {
                r = exec(List.of("squeue", "-h", "-r", "-j", jobId, "-o", "%K %T"));
            } catch (IOException e) {
                r = new Result(-1, e.getMessage());
            }
            // Once the controller has forgotten the job, squeue calls its id invalid: every task has ended.
            if (r.status() != 0 && r.output().contains("Invalid job id")) return Map.of();
            if (r.status() != 0) {
                if (!warned) System.err.println("warning: squeue failed (" + r.output().strip().replace('\n', ' ') + "); assuming Slurm job " + jobId + " still runs");
                warned = true;
                return null;
            }
            Map<Integer, String> out = new HashMap<>();
            for (String l : r.output().split("\n")) {
                String[] f = l.strip().split("\\s+");
                if (f.length == 2 && f[0].matches("[0-9]+")) out.put(Integer.parseInt(f[0]), f[1]);
            }
            return out;
        }
    }

    /** One task of a submitted array. */
    private static final class ArrayTask implements Job {
        private final Array array;
        private final int index;
        private final Task task;
        private volatile boolean stopping;

        ArrayTask(Array array, int index, Task task) {
            this.array = array;
            this.index = index;
            this.task = task;
        }

        private String id() { return array.jobId + "_" + index; }

        @Override public boolean alive() {
            if (array.state(index) != null) return true;
            if (stopping) return false;
            // A task ended by a signal (requeue, preemption) or stopped after a checkpoint may be on its way back into the
            // queue: between its end and its requeue squeue lists it nowhere. Ask again for a few seconds before calling it ended.
            Integer code;
            try {
                code = statusOnFile();
            } catch (IOException | NumberFormatException e) {
                return false; // exitCode() reports it
            }
            if (code == null || (code != RunWorker.STOPPED && code < 128)) return false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REQUEUE_GRACE_SECONDS);
            try {
                while (System.nanoTime() < deadline) {
                    if (array.fresh(index) != null) return true;
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        /** The exit status the task's script recorded, or null when there is none (yet). */
        private Integer statusOnFile() throws IOException {
            Path f = exitFile(task);
            return Files.isRegularFile(f) ? Integer.valueOf(Integer.parseInt(Files.readString(f).strip())) : null;
        }

        @Override public boolean queued() { return "PENDING".equals(array.state(index)); }

        @Override public int exitCode() {
            try {
                Integer recorded = statusOnFile();
                if (recorded != null) return recorded;
                // No status: the task never ran its worker to the end (cancelled while queued, its node failed, or it was
                // killed past the time limit). The run folder still says whether the run got done.
                if (RunState.of(task.studyDir(), task.run(), null) == RunState.FINISHED) return 0;
                Files.writeString(task.error(), "Slurm task " + id() + " ended without an exit status (cancelled, timed out or its node failed;"
                        + " sacct -j " + id() + " may say which); the run is resumed or rerun on the next start\n");
            } catch (IOException | NumberFormatException e) {
                // reported as a failure below
            }
            return 1;
        }

        @Override public void stop() {
            stopping = true;
            try {
                exec(List.of("scancel", id()));
            } catch (IOException e) {
                System.err.println("warning: scancel " + id() + " failed: " + e.getMessage());
            }
        }

        @Override public boolean await(long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (alive()) {
                if (System.nanoTime() > deadline) return false;
                Thread.sleep(250);
            }
            return true;
        }
    }
}
