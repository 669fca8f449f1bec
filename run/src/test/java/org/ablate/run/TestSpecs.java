package org.ablate.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ablate.platform.ComponentRegistry;

/** A tiny run spec and its data for the run module's tests. */
final class TestSpecs {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    private TestSpecs() {}

    /**
     * The model section of the tests' tiny decoder (2 layers, width 16, 2 heads, RoPE), with the longest sequence
     * and the dropout a test needs; more model keys may follow it (two spaces in).
     */
    static String tinyDecoder(int maxPositions, String dropout) {
        return """
                model:
                  architecture: decoder-only
                  layers: 2
                  d_model: 16
                  heads: 2
                  d_ff: 32
                  max_positions: %d
                  dropout: %s
                  block: {id: pre-norm}
                  norm: {id: layer-norm}
                  attention: {id: multi-head}
                  positional: {id: rope}
                  feed_forward: {id: mlp, activation: gelu}
                """.formatted(maxPositions, dropout);
    }

    static final String SPEC = tinyDecoder(32, "0.1") + """
            tokenizer: {id: char}
            data: {path: text.txt, held_out: 0.2}
            optim: {lr: 1.0e-2}
            schedule: {warmup: 3}
            run: {steps: 30, batch_size: 4, context: 16, seed: 7, eval_every: 10, eval_batches: 2, checkpoint_every: 5}
            """;

    /** Writes the spec and a text to train on into {@code dir}; returns the spec file. */
    static Path write(Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        String[] words = {"light", "waters", "firmament", "evening", "morning", "seed", "earth", "heaven"};
        for (int i = 0; i < 300; i++) text.append("And God called the ").append(words[i % words.length]).append(" day ").append(i % 7).append(". ");
        Files.writeString(dir.resolve("text.txt"), text);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        return spec;
    }
}
