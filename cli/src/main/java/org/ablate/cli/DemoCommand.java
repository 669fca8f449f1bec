package org.ablate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.Component;
import org.ablate.models.generate.SamplerChain;
import org.ablate.platform.ComponentRegistry;
import org.ablate.run.RunSpec;
import org.ablate.run.SpecLoader;
import org.ablate.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ablate demo}: the main job on embedded defaults. Trains the embedded run spec (a small GPT-style
 * model on the shipped public-domain text), reports held-out perplexity before and after, writes a run
 * folder, reloads the model from disk and generates from it as the spec's generation section says.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small GPT-style model on the shipped text (KJV Genesis and Exodus), then generate from it.")
final class DemoCommand implements Callable<Integer> {
    static final String SPEC = "gpt-char.yaml";

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder; an earlier demo run there is replaced (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs", "demo");

    @Option(names = "--prompt", description = "Prompts to continue after training (default: the spec's generation.prompts).", split = "\\|")
    List<String> prompts;

    @Mixin SpecOptions options = new SpecOptions();

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = ComponentRegistry.discover();
        Path home = Path.of(System.getProperty("ablate.home", ".")).toAbsolutePath().resolve("examples").resolve("specs");
        RunSpec spec = new SpecLoader(registry).parse("embedded " + SPEC, resource(SPEC), true, home, options.overrides());
        System.out.println("ablate demo: a GPT-style model (embedded spec " + SPEC + ", sha256 " + spec.hash().substring(0, 12) + ")");
        new TrainingRun(registry, System.out).run(spec, new TrainingRun.Options(out, null, false, true, List.of(new ProgressCallback(System.out))));

        // Generate from the model as written to disk, as a later 'ablate generate' would.
        Checkpoint.Loaded loaded = Checkpoint.load(out, registry);
        SamplerChain chain = chain(registry, spec.generation());
        long seed = spec.run().seed();
        List<String> texts = prompts != null ? prompts : spec.generation().prompts();
        System.out.println();
        System.out.println("samples (" + chain + ", seeds from " + seed + ", reading at most the " + spec.run().context()
                + " tokens of run.context it was trained on):");
        for (int i = 0; i < texts.size(); i++) {
            System.out.print("> ");
            GenerateCommand.stream(loaded.model(), loaded.tokenizer(), texts.get(i), chain, spec.generation().maxNewTokens(), seed + i,
                    spec.run().context(), System.out);
            System.out.println();
        }
        System.out.println();
        System.out.println("again, or with another sampler: ./ablate generate " + out + " --prompt \"In the beginning\" --sampler greedy");
        return 0;
    }

    /** The sampler chain of a spec's generation section: greedy, or its processors followed by a sampled pick. */
    static SamplerChain chain(ComponentRegistry registry, RunSpec.Generation g) {
        List<SamplerChain.Step> steps = new ArrayList<>();
        if (g.strategy().equals("greedy")) {
            steps.add(new SamplerChain.Step("greedy", java.util.Map.of()));
        } else {
            for (Component c : g.processors()) steps.add(new SamplerChain.Step(c.id(), c.raw()));
        }
        return SamplerChain.of(registry, steps);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("embedded " + name + " is missing from the ablate-cli jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
