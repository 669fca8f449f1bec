package org.ablate.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.ablate.platform.ComponentRegistry;
import org.ablate.study.Executor;
import org.ablate.study.LocalExecutor;
import org.ablate.study.Study;
import org.ablate.study.StudyRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ablate study STUDY.yaml}: every arm × seed of an ablation study, skipping what is finished, resuming what was interrupted. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Run an ablation study: a base run spec, arms (or a grid) of overrides and a seed list shared by every arm. "
                + "Running it again skips finished runs, resumes interrupted ones and reruns failed ones; a run folder whose spec or data "
                + "changed is refused. Report it with `ablate report DIR`.")
final class StudyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "STUDY", description = "Study file (YAML).")
    Path study;

    @Option(names = "--out", paramLabel = "DIR", description = "Study folder (default: studies/<study name>).")
    Path out;

    @Option(names = "--dry-run", description = "Print the plan (arms with parameter counts and FLOPs per token, each run's identity and state) and run nothing.")
    boolean dryRun;

    @Option(names = "--executor", paramLabel = "NAME", defaultValue = "local", description = "Where runs run: local (child JVMs on this machine).")
    String executor;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "0", description = "Runs at once (default: one per core, at most the number of runs); the cores are shared evenly.")
    int jobs;

    @Option(names = "--jvm-option", paramLabel = "OPTION", description = "More options for each run's JVM, e.g. --jvm-option=-Xmx2g (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    @Override public Integer call() throws Exception {
        if (!executor.equals("local")) throw new IllegalArgumentException("--executor: unknown executor \"" + executor + "\"; available: local");
        ComponentRegistry registry = Registries.discover(null);
        Study s = Study.load(study, registry);
        Path dir = (out != null ? out : Path.of("studies", study.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", ""))).toAbsolutePath().normalize();
        Executor ex = LocalExecutor.forCores(jobs, s.runs().size(), jvmOptions);
        StudyRunner runner = new StudyRunner(registry, System.out);
        List<StudyRunner.Entry> plan = runner.plan(s, dir);
        runner.print(s, dir, plan, ex);
        if (dryRun) return 0;
        StudyRunner.Outcome o = runner.run(s, dir, plan, ex);
        System.out.println("report: ./ablate report " + dir);
        return o.reason() != null ? 2 : o.failed() > 0 ? 1 : 0;
    }
}
