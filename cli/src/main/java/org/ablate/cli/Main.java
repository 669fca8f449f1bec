package org.ablate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ablate} command: one subcommand per job. */
@Command(name = "ablate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Build, train and study transformers by swapping their parts.",
        subcommands = {
                DemoCommand.class,
                TrainCommand.class,
                StudyCommand.class,
                ReportCommand.class,
                EvalCommand.class,
                GenerateCommand.class,
                JudgeCommand.class,
                JudgePairsCommand.class,
                PlotCommand.class,
                AttentionCommand.class,
                ComponentsCommand.class,
                ConformanceCommand.class,
                ExportCommand.class,
                ImportCommand.class,
                BenchCommand.class,
                TokenizeCommand.class,
                NgramCommand.class,
                SwordPairsCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // A user error gets one clear line; a stack trace only with ABLATE_DEBUG set.
            String name = cmd.getCommandSpec().qualifiedName(" ");
            cmd.getErr().println((name.startsWith("ablate") ? name : "ablate " + name) + ": " + message(e));
            if (System.getenv("ABLATE_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (ExceptionInInitializerError e) {
            return refusedSetting(e, System.err);
        }
    }

    /**
     * A kernel setting read when its class loads ({@code -Dablate.gemm.mr}, {@code -Dablate.gemv.rows}) that refused its
     * value surfaces as an ExceptionInInitializerError, which picocli does not hand to the handler above: one line for
     * it too. Any other initialiser failure is a bug and keeps its stack trace.
     */
    static int refusedSetting(ExceptionInInitializerError e, java.io.PrintStream err) {
        if (!(e.getCause() instanceof IllegalArgumentException bad)) throw e;
        err.println("ablate: " + message(bad));
        if (System.getenv("ABLATE_DEBUG") != null) e.printStackTrace(err);
        return 1;
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
