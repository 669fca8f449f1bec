package org.ablate.study;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.ablate.platform.ComponentRegistry;
import org.ablate.run.Trainer;
import org.ablate.run.TrainingCallback;
import org.ablate.run.TrainingRun;

/**
 * One run of a study in its own JVM: {@code RunWorker STUDY_FILE STUDY_DIR RUN ID MODE PARENT_PID}. It expands
 * the study again, checks that the run's identity is still {@code ID}, holds the run's lock while it trains, and
 * stops after a checkpoint when the study process that started it is gone (so a killed study leaves resumable runs).
 * A failure leaves one line in the run's {@code .error} file for the study to report.
 *
 * <p>MODE is {@code new}, {@code resume} or {@code rerun}, or {@code auto}: whatever the run folder says now (a
 * scheduler's task that is requeued after a preemption resumes from its checkpoint; a finished run is left alone).
 * PARENT_PID 0 watches no process (a cluster task outlives the process that submitted it).
 */
public final class RunWorker {
    /** Exit status of a run that stopped after a checkpoint (a signal, or its study ended). */
    public static final int STOPPED = 3;

    /** The log's lines of progress: evaluations and checkpoints (the study's own progress line reads metrics.jsonl). */
    private static final TrainingCallback LOG = new TrainingCallback() {
        @Override public void evaluated(int step, double loss, java.util.Map<String, Double> metrics) {
            System.out.printf(java.util.Locale.ROOT, "step %d: held-out loss %.4f%n", step, loss);
        }

        @Override public void checkpointed(int step, Path folder) {
            System.out.println("step " + step + ": checkpoint " + folder.getFileName());
        }
    };

    private RunWorker() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: RunWorker STUDY_FILE STUDY_DIR RUN ID new|resume|rerun|auto PARENT_PID");
            return 2;
        }
        Path studyFile = Path.of(args[0]), studyDir = Path.of(args[1]);
        String name = args[2], id = args[3];
        String mode = args[4];
        long parent = Long.parseLong(args[5]);
        if (parent > 0) watchParent(parent);
        Path error = null;
        try {
            // Plugins reach a run the way they reach the CLI: through ABLATE_PLUGINS, which the child inherits.
            String plugins = System.getenv("ABLATE_PLUGINS");
            ComponentRegistry registry = plugins == null || plugins.isBlank() ? ComponentRegistry.discover()
                    : ComponentRegistry.discover(Path.of(plugins), s -> System.err.println("ablate: plugin skipped: " + s));
            Study study = Study.load(studyFile, registry);
            Study.Run run = study.run(name);
            Executor.Task task = new Executor.Task(studyFile, studyDir, run, RunState.NEW);
            error = task.error();
            if (!run.id().equals(id)) {
                throw new IOException(studyFile + ": changed after the study started (run " + name + " is now " + run.id().substring(0, 12)
                        + ", was " + id.substring(0, Math.min(12, id.length())) + "); run the study again");
            }
            try (FileChannel ch = FileChannel.open(lockFile(studyDir, run), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.tryLock()) {
                if (lock == null) throw new IOException(run.folder(studyDir) + ": another process is training this run");
                if (mode.equals("auto")) {
                    RunState state = RunState.of(studyDir, run, null);
                    if (state == RunState.FINISHED) {
                        System.out.println("run " + name + " has finished already");
                        return 0;
                    }
                    mode = state == RunState.INTERRUPTED ? "resume" : state == RunState.FAILED ? "rerun" : "new";
                }
                System.out.println("run " + name + " (" + mode + "), id " + id.substring(0, 12) + ", spec sha256 " + run.spec().hash().substring(0, 12));
                new TrainingRun(registry, System.out).run(run.spec(), new TrainingRun.Options(run.folder(studyDir), null,
                        mode.equals("resume"), mode.equals("rerun"), List.of(LOG)));
            }
            return 0;
        } catch (Trainer.Stopped s) {
            return STOPPED;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            System.out.println("failed: " + m);
            e.printStackTrace(System.out);
            if (error != null) {
                try {
                    Files.writeString(error, m.replace('\n', ' ') + "\n");
                } catch (IOException ignored) {
                    // the exit status still says it failed
                }
            }
            return 1;
        }
    }

    /** The file a run's worker locks while it trains. */
    static Path lockFile(Path studyDir, Study.Run run) throws IOException {
        Path dir = Files.createDirectories(studyDir.resolve("locks"));
        return dir.resolve(run.arm() + "-seed-" + run.seed() + ".lock");
    }

    /** Exits (through the shutdown hooks, so training writes a checkpoint) once the study process is gone. */
    private static void watchParent(long pid) {
        Thread t = new Thread(() -> {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.out.println("the study process " + pid + " ended; stopping after a checkpoint");
            System.exit(STOPPED);
        }, "ablate-study-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
