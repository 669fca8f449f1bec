package org.ablate.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.ablate.platform.ComponentRegistry;
import org.ablate.run.RunSpec;
import org.ablate.run.SpecLoader;
import org.ablate.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ablate train SPEC}: one training run of a run spec into a run folder. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a run spec (model, tokenizer, data, objective, optim, schedule, run): report held-out loss, "
                + "write periodic resumable checkpoints and the final model into a run folder.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "Run spec (YAML or JSON); a bare model config is read as its model section.")
    Path spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/<spec name>).")
    Path out;

    @Option(names = "--from", paramLabel = "MODEL", description = "Start from these weights: an Ablate checkpoint or run folder, or a Hugging Face folder.")
    Path from;

    @Option(names = "--resume", description = "Continue the run in --out from its latest checkpoint (the spec must be the same).")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace --out when it holds an earlier run (never anything else).")
    boolean overwrite;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Mixin SpecOptions options = new SpecOptions();

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        RunSpec run = new SpecLoader(registry).load(spec, options.overrides());
        Path target = out != null ? out : Path.of("runs", spec.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", ""));
        System.out.println("spec: " + spec + " (sha256 " + run.hash().substring(0, 12) + ")");
        new TrainingRun(registry, System.out).run(run, new TrainingRun.Options(target, from, resume, overwrite,
                List.of(new ProgressCallback(System.out))));
        return 0;
    }
}
