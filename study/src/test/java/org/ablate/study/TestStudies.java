package org.ablate.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ablate.platform.ComponentRegistry;

/** A tiny base spec, its text and study files for the study module's tests. */
final class TestStudies {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    private TestStudies() {}

    static final String BASE = """
            model:
              architecture: decoder-only
              layers: 1
              d_model: 16
              heads: 2
              d_ff: 32
              max_positions: 32
              dropout: 0.0
              block: {id: pre-norm}
              norm: {id: layer-norm}
              attention: {id: multi-head}
              positional: {id: rope}
              feed_forward: {id: mlp, activation: gelu}
            tokenizer: {id: char}
            data: {path: text.txt, held_out: 0.2}
            optim: {lr: 1.0e-2}
            schedule: {warmup: 2}
            run: {steps: 12, batch_size: 4, context: 16, seed: 0, eval_every: 6, eval_batches: 2, checkpoint_every: 3}
            """;

    /** A study of two arms (rope, the baseline, and alibi) over seeds 0 and 1, with {@code extra} lines appended. */
    static final String STUDY = """
            name: tiny
            base: base.yaml
            arms:
              rope: {}
              alibi: {model.positional.id: alibi}
            seeds: [0, 1]
            metrics: [loss, perplexity]
            expect: ["alibi.loss < rope.loss"]
            """;

    /** Writes the base spec and its text into {@code dir}, and {@code study} as study.yaml; returns the study file. */
    static Path write(Path dir, String study) throws IOException {
        StringBuilder text = new StringBuilder();
        String[] words = {"light", "waters", "firmament", "evening", "morning", "seed", "earth", "heaven"};
        for (int i = 0; i < 300; i++) text.append("And God called the ").append(words[i % words.length]).append(" day ").append(i % 7).append(". ");
        Files.writeString(dir.resolve("text.txt"), text);
        Files.writeString(dir.resolve("base.yaml"), BASE);
        return Files.writeString(dir.resolve("study.yaml"), study);
    }
}
