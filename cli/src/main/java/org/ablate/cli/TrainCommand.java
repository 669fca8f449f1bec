package org.ablate.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.models.train.TrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ablate train CONFIG --data FILE}: next-token training of a decoder-only model. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a decoder-only model on a text file (next-token cross-entropy, AdamW, warmup + cosine), "
                + "report held-out loss and perplexity, and write a checkpoint.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "Model config (YAML or JSON).")
    Path config;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "UTF-8 training text.")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Checkpoint folder (default: runs/<config name>).")
    Path out;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @picocli.CommandLine.Mixin TrainingOptions training = new TrainingOptions();

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        ModelConfig cfg = new ConfigLoader(registry).load(config);
        TrainOptions options = training.toOptions();
        Path target = out != null ? out : Path.of("runs", config.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", ""));
        TrainingRun.run(registry, cfg, data, options, training.heldOut, target, System.out);
        return 0;
    }
}
