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
        return cli.execute(args);
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
