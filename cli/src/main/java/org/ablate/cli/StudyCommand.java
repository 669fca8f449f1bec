package org.ablate.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.ablate.platform.ComponentRegistry;
import org.ablate.study.Executor;
import org.ablate.study.LocalExecutor;
import org.ablate.study.SlurmExecutor;
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

    @Option(names = "--executor", paramLabel = "NAME", defaultValue = "local",
            description = "Where runs run: local (child JVMs on this machine) or slurm (one Slurm job array, a task per run).")
    String executor;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "0",
            description = "Runs at once (local default: one per core, at most the number of runs, the cores shared evenly; slurm: the array's %%N, default no limit).")
    int jobs;

    @Option(names = "--threads-per-run", paramLabel = "T", defaultValue = "0",
            description = "Threads of each run (slurm: also --cpus-per-task); default: the local executor's share of this machine's cores.")
    int threadsPerRun;

    @Option(names = "--sbatch-option", paramLabel = "OPTION", description = "More options for sbatch, e.g. --sbatch-option=--partition=cpu (repeatable; slurm only).")
    List<String> sbatchOptions = new ArrayList<>();

    @Option(names = "--jvm-option", paramLabel = "OPTION", description = "More options for each run's JVM, e.g. --jvm-option=-Xmx2g (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    @Override public Integer call() throws Exception {
        if (!List.of("local", "slurm").contains(executor)) throw new IllegalArgumentException("--executor: unknown executor \"" + executor + "\"; known: local, slurm");
        if (executor.equals("slurm") && !SlurmExecutor.missingCommands().isEmpty()) {
            throw new IllegalArgumentException("--executor slurm: " + String.join(", ", SlurmExecutor.missingCommands())
                    + " not found on the PATH; run on a machine with Slurm's client commands (sbatch, squeue, scancel)");
        }
        if (threadsPerRun < 0) throw new IllegalArgumentException("--threads-per-run: expected at least 1, got " + threadsPerRun);
        if (!sbatchOptions.isEmpty() && !executor.equals("slurm")) throw new IllegalArgumentException("--sbatch-option: only for --executor slurm");
        ComponentRegistry registry = Registries.discover(null);
        Study s = Study.load(study, registry);
        Path dir = (out != null ? out : Path.of("studies", study.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", ""))).toAbsolutePath().normalize();
        LocalExecutor local = LocalExecutor.forCores(jobs, s.runs().size(), jvmOptions);
        int threads = threadsPerRun > 0 ? threadsPerRun : local.threads();
        Executor ex = executor.equals("slurm") ? new SlurmExecutor(jobs, threads, s.runs().size(), jvmOptions, sbatchOptions)
                : new LocalExecutor(local.slots(), threads, jvmOptions);
        StudyRunner runner = new StudyRunner(registry, System.out);
        ex.prepare(dir);
        List<StudyRunner.Entry> plan = runner.plan(s, dir);
        runner.print(s, dir, plan, ex);
        if (dryRun) return 0;
        StudyRunner.Outcome o = runner.run(s, dir, plan, ex);
        System.out.println("report: ./ablate report " + dir);
        return o.reason() != null ? 2 : o.failed() > 0 ? 1 : 0;
    }
}
