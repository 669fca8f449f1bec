package org.ablate.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ablate.api.Tokenizer;
import org.ablate.api.discovery.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.generate.Generator;
import org.ablate.models.generate.SamplerChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ablate generate CHECKPOINT --prompt ...}: streams a continuation to the console. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a checkpoint with a sampler chain, streaming tokens as they come.")
final class GenerateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "Checkpoint folder written by 'ablate train'.")
    Path checkpoint;

    @Option(names = "--prompt", required = true, description = "Text to continue.")
    String prompt;

    @Option(names = "--sampler", paramLabel = "CHAIN", description = "Sampler chain, e.g. greedy or "
            + "\"temperature:value=0.8,top-p:p=0.9\" (default: ${DEFAULT-VALUE}).")
    String sampler = "temperature:value=0.8,top-p:p=0.95";

    @Option(names = "--max-new-tokens", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = 200;

    @Option(names = "--seed", description = "Seed of the random picks (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        Checkpoint.Loaded loaded = Checkpoint.load(checkpoint, registry);
        SamplerChain chain = SamplerChain.of(registry, SamplerChain.parse(sampler));
        stream(loaded.model(), loaded.tokenizer(), prompt, chain, maxNewTokens, seed, System.out);
        System.out.println();
        return 0;
    }

    /** Prints the prompt, then each new piece of text as soon as it decodes to whole characters. */
    static String stream(Model model, Tokenizer tokenizer, String prompt, SamplerChain chain, int maxNewTokens, long seed, PrintStream out) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) throw new IllegalArgumentException("--prompt encodes to no tokens; give some text");
        List<Integer> generated = new ArrayList<>();
        StringBuilder printed = new StringBuilder();
        out.print(prompt);
        out.flush();
        int eos = tokenizer.specialTokens().eos();
        Generator.generate(model, ids, chain, maxNewTokens, eos, seed, token -> {
            if (token == eos) return;
            generated.add(token);
            String text = tokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray(), true);
            // A byte-level token may end inside a multi-byte character: wait for the rest.
            if (text.endsWith("\uFFFD") || text.length() <= printed.length()) return;
            out.print(text.substring(printed.length()));
            out.flush();
            printed.setLength(0);
            printed.append(text);
        });
        return prompt + printed;
    }
}
