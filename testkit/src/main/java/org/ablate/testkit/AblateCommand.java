package org.ablate.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code ablate} command in a child JVM, on the module path as {@code ./ablate} runs it, for a plugin's
 * integration tests: load the plugin's jar from a plugins folder and use it by name. Reads the system properties a
 * plugin's failsafe configuration sets: {@code ablate.cli.modules}, {@code ablate.cli.jar} and {@code ablate.home}.
 */
public final class AblateCommand {
    private AblateCommand() {}

    /** What the command printed (standard output and error together) and its exit code. */
    public record Result(int exit, String out) {}

    /** The system property {@code name}; fails with how to set it. */
    public static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) throw new IllegalStateException("system property " + name + " is not set; run through Maven (verify)");
        return v;
    }

    /** Runs {@code ablate args...} without {@code ABLATE_PLUGINS}. */
    public static Result run(String... args) throws IOException, InterruptedException { return run(null, args); }

    /**
     * Runs {@code ablate args...}.
     *
     * @param plugins the child's {@code ABLATE_PLUGINS} folder, or null for none
     */
    public static Result run(Path plugins, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Dablate.home=" + property("ablate.home"),
                "--module-path", property("ablate.cli.modules") + File.pathSeparator + property("ablate.cli.jar"),
                "-m", "org.ablate.cli/org.ablate.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (plugins == null) pb.environment().remove("ABLATE_PLUGINS");
        else pb.environment().put("ABLATE_PLUGINS", plugins.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ablate " + String.join(" ", args) + " did not finish in 180 s");
        }
        return new Result(p.exitValue(), out);
    }
}
