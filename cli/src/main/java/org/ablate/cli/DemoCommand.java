package org.ablate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.models.generate.SamplerChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ablate demo}: the main job on embedded defaults. Trains a small GPT-style model on the shipped
 * public-domain text, reports held-out perplexity before and after, writes a checkpoint, reloads it
 * from disk and generates from it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small GPT-style model on the shipped text (KJV Genesis and Exodus), then generate from it.")
final class DemoCommand implements Callable<Integer> {
    static final String CONFIG = "gpt-char.yaml";
    static final String DATA = "examples/data/kjv-genesis-exodus.txt";

    @Option(names = "--data", paramLabel = "FILE", description = "Training text (default: " + DATA + " in the Ablate folder).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Checkpoint folder (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs", "demo");

    @Option(names = "--prompt", description = "Prompts to continue after training (default: ${DEFAULT-VALUE}).", split = "\\|")
    List<String> prompts = List.of("And God said", "And Moses");

    @Option(names = "--max-new-tokens", description = "Tokens per sample (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = 200;

    @Mixin TrainingOptions training = new TrainingOptions();

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = ComponentRegistry.discover();
        ModelConfig config = new ConfigLoader(registry).parse("embedded " + CONFIG, resource(CONFIG), true);
        Path text = data != null ? data : defaultData();
        System.out.println("ablate demo: a GPT-style model on " + text.getFileName() + " (config: embedded " + CONFIG + ")");
        TrainingRun.run(registry, config, text, training.toOptions(), training.heldOut, out, System.out);

        // Generate from the checkpoint as written to disk, as a later 'ablate generate' would.
        Checkpoint.Loaded loaded = Checkpoint.load(out, registry);
        String chainText = "temperature:value=0.8,top-p:p=0.95";
        SamplerChain chain = SamplerChain.of(registry, SamplerChain.parse(chainText));
        System.out.println();
        System.out.println("samples (" + chain + ", seeds from " + training.seed + "):");
        for (int i = 0; i < prompts.size(); i++) {
            System.out.print("> ");
            GenerateCommand.stream(loaded.model(), loaded.tokenizer(), prompts.get(i), chain, maxNewTokens, training.seed + i, System.out);
            System.out.println();
        }
        System.out.println();
        System.out.println("again, or with another sampler: ./ablate generate " + out + " --prompt \"In the beginning\" --sampler greedy");
        return 0;
    }

    private static Path defaultData() throws IOException {
        String home = System.getProperty("ablate.home", ".");
        Path p = Path.of(home, DATA);
        if (!Files.isRegularFile(p)) {
            throw new IOException(p + ": the demo text is missing; run from the Ablate folder or pass --data FILE");
        }
        return p;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("embedded " + name + " is missing from the ablate-cli jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
