package org.ablate.study;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs each run in a child JVM on this machine, as many at once as the cores allow, each with its share of the
 * cores: the tensor engine sizes its thread pool from {@link Runtime#availableProcessors()}, which
 * {@code -XX:ActiveProcessorCount} sets in the child. The child starts the same way this JVM was started: on the
 * module path when this JVM runs on one ({@code ./ablate}), else on the class path (tests).
 */
public final class LocalExecutor implements Executor {
    private final int jobs;
    private final int threads;
    private final List<String> jvmOptions;

    /**
     * @param jobs       runs at once
     * @param threads    threads of each run
     * @param jvmOptions more options for each child JVM (e.g. {@code -Xmx2g})
     */
    public LocalExecutor(int jobs, int threads, List<String> jvmOptions) {
        if (jobs < 1 || threads < 1) throw new IllegalArgumentException("--jobs and threads per run must be at least 1, got " + jobs + " and " + threads);
        this.jobs = jobs;
        this.threads = threads;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** {@code jobs} runs at once (0: one per core, at most {@code runs}), sharing this machine's cores evenly. */
    public static LocalExecutor forCores(int jobs, int runs, List<String> jvmOptions) {
        int cores = Runtime.getRuntime().availableProcessors();
        int n = jobs > 0 ? jobs : Math.max(1, Math.min(cores, runs));
        return new LocalExecutor(n, Math.max(1, cores / n), jvmOptions);
    }

    @Override public int slots() { return jobs; }

    /** Threads of each run. */
    public int threads() { return threads; }

    @Override public String describe() {
        return "local: " + jobs + (jobs == 1 ? " run" : " runs") + " at once, " + threads + (threads == 1 ? " thread" : " threads") + " each";
    }

    /** The child's command line. */
    /** The young generation's size: ./ablate starts the JVM with the same {@code -Xmn}. */
    static final int YOUNG_MEGABYTES = 128;

    List<String> command(Task task) {
        List<String> cmd = javaCommand(threads, jvmOptions, heapMegabytes());
        cmd.add(task.studyFile().toAbsolutePath().toString());
        cmd.add(task.studyDir().toAbsolutePath().toString());
        cmd.add(task.run().name());
        cmd.add(task.run().id());
        cmd.add(task.state() == RunState.INTERRUPTED ? "resume" : task.state() == RunState.FAILED ? "rerun" : "new");
        cmd.add(Long.toString(ProcessHandle.current().pid()));
        return cmd;
    }

    /**
     * A JVM that runs {@link RunWorker} with {@code threads} cores, started the way this JVM was (this JDK; the module
     * path under {@code ./ablate}, else the class path), every path absolute so the command runs from any folder.
     *
     * @param heapMegabytes its heap unless {@code jvmOptions} sets one; 0 leaves it to the JVM
     */
    static List<String> javaCommand(int threads, List<String> jvmOptions, long heapMegabytes) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-XX:ActiveProcessorCount=" + threads);
        cmd.add("-XX:+UseParallelGC");
        // As ./ablate: steps reuse their arrays (Workspace), so a small young generation holds what a step leaves.
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmn") || o.contains("NewSize"))) cmd.add("-Xmn" + YOUNG_MEGABYTES + "m");
        if (hugePages()) cmd.add("-XX:+UseTransparentHugePages"); // as this JVM (bin/jvm-options.sh)
        for (String p : List.of("ablate.vector.bits", "ablate.parallel.spinMicros", "ablate.workspace.poison")) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        if (heapMegabytes > 0 && jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxRAM"))) cmd.add("-Xmx" + heapMegabytes + "m");
        cmd.addAll(jvmOptions);
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && LocalExecutor.class.getModule().isNamed()) {
            cmd.add("--enable-native-access=org.ablate.tensor");
            cmd.add("--module-path");
            cmd.add(absolute(modulePath));
            cmd.add("-m");
            cmd.add(LocalExecutor.class.getModule().getName() + "/" + RunWorker.class.getName());
        } else {
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("-cp");
            cmd.add(absolute(System.getProperty("java.class.path")));
            cmd.add(RunWorker.class.getName());
        }
        return cmd;
    }

    /** Whether this JVM backs its heap with transparent huge pages (children get the same; benchmarks report it). */
    public static boolean hugePages() {
        var option = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("UseTransparentHugePages");
        return Boolean.parseBoolean(option.getValue());
    }

    private static String absolute(String searchPath) {
        List<String> out = new ArrayList<>();
        for (String p : searchPath.split(java.io.File.pathSeparator)) if (!p.isEmpty()) out.add(Path.of(p).toAbsolutePath().toString());
        return String.join(java.io.File.pathSeparator, out);
    }

    /**
     * Each child's heap unless an option sets one: half the machine's memory shared by the runs at once, from 512 MB
     * to 4 GB. Left to itself, each JVM would size its heap from all of the memory, and a few children that grow their
     * heaps lazily can together exhaust it.
     */
    long heapMegabytes() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return Math.clamp(total / 2 / jobs >> 20, 512, 4096);
    }

    @Override public Job start(Task task) throws IOException {
        Files.createDirectories(task.log().getParent());
        Files.deleteIfExists(task.error());
        Process p = new ProcessBuilder(command(task)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(task.log().toFile())).start();
        return new Job() {
            @Override public boolean alive() { return p.isAlive(); }
            @Override public int exitCode() { return p.exitValue(); }
            @Override public void stop() { p.destroy(); } // SIGTERM: the run writes a checkpoint and stops
            @Override public boolean await(long seconds) throws InterruptedException { return p.waitFor(seconds, TimeUnit.SECONDS); }
        };
    }
}
