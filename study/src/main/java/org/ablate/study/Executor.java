package org.ablate.study;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the runs of a study somewhere: child JVMs on this machine ({@link LocalExecutor}), or tasks of a Slurm
 * job array ({@link SlurmExecutor}). A run's results are files in its run folder, so the study reports the same way
 * whatever ran it; an executor only starts runs, says when they end and stops them on request.
 */
public interface Executor {
    /**
     * One run to start.
     *
     * @param studyFile the study file (the run re-expands it and checks its identity)
     * @param studyDir  the study folder
     * @param state     {@link RunState#NEW}, {@link RunState#INTERRUPTED} (resume) or {@link RunState#FAILED} (start again)
     */
    record Task(Path studyFile, Path studyDir, Study.Run run, RunState state) {
        /** Where the run's console output goes. */
        public Path log() { return studyDir.resolve("logs").resolve(run.arm() + "-seed-" + run.seed() + ".log"); }

        /** Where a failed run leaves its one-line error. */
        public Path error() { return studyDir.resolve("logs").resolve(run.arm() + "-seed-" + run.seed() + ".error"); }
    }

    /** A started run. */
    interface Job {
        /** Whether it still runs. */
        boolean alive();

        /** Its exit status once it ended: 0 finished, {@link RunWorker#STOPPED} stopped after a checkpoint, anything else failed. */
        int exitCode();

        /** Asks it to write a checkpoint and stop (it can be resumed). */
        void stop();

        /** Waits for it to end, at most {@code seconds}. */
        boolean await(long seconds) throws InterruptedException;

        /** Whether it waits in a scheduler's queue and has not started yet. */
        default boolean queued() { return false; }
    }

    /**
     * Whether it takes every run left at once and queues them itself (a cluster scheduler): the study then hands it
     * all of them in one {@link #startAll} instead of keeping {@link #slots()} busy.
     */
    default boolean queues() { return false; }

    /** Starts {@code tasks}, one job each, in order; by default one by one (a scheduler submits them together). */
    default List<Job> startAll(List<Task> tasks) throws IOException {
        List<Job> out = new ArrayList<>();
        for (Task t : tasks) out.add(start(t));
        return out;
    }

    /** Checks, before the plan is read, that nothing this executor started earlier still runs runs of {@code studyDir}. */
    default void prepare(Path studyDir) throws IOException {}

    /** How many runs it runs at once (at most). */
    int slots();

    /** One line for the plan, e.g. "local: 2 runs at once, 1 thread each". */
    String describe();

    Job start(Task task) throws IOException;
}
