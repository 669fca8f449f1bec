package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NgramCommandTest {
    private static final String SPEC = """
            model: {architecture: decoder-only, layers: 1, d_model: 8, heads: 1, d_ff: 16, max_positions: 32,
                    block: {id: pre-norm}, norm: {id: layer-norm}, attention: {id: multi-head}, positional: {id: rope},
                    feed_forward: {id: mlp, activation: gelu}}
            tokenizer: {id: char}
            data: {path: text.txt, held_out: 0.2}
            run: {batch_size: 4, context: 16, eval_batches: 2}
            """;

    /** The split and windows of 'ablate train': 2 batches of 4 windows of 16 tokens are the matched figure. */
    @Test void printsHeldOutPerplexityOnTheTrainSplit(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("text.txt"), "In the beginning God created the heaven and the earth. ".repeat(60));
        Files.writeString(dir.resolve("spec.yaml"), SPEC);
        var r = MainTest.run("ngram", dir.resolve("spec.yaml").toString(), "--order", "4");
        assertEquals(0, r.code(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(4, o.get("order").asInt());
        assertEquals(128, o.get("held_out_tokens").asInt());
        assertEquals(4, o.get("discounts").size());
        int held = (int) Math.round(3300 * 0.2); // 60 sentences of 55 characters
        assertEquals((held - 1) / 16 * 16, o.get("all_held_out_tokens").asInt());
        assertEquals(3300 - held, o.get("train_tokens").asInt());
        // A sentence repeated 60 times is almost certain to an order-4 model.
        double ppl = o.get("held_out_perplexity").asDouble();
        assertTrue(ppl > 1 && ppl < 1.5, "perplexity " + ppl);
        var unigram = new ObjectMapper().readTree(MainTest.run("ngram", dir.resolve("spec.yaml").toString(), "--order", "1").out());
        assertTrue(unigram.get("held_out_perplexity").asDouble() > 5 * ppl, unigram.toString());
    }

    @Test void aSourceWithoutATokenStreamIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.tsv"), "a b\tc d\n".repeat(20));
        Files.writeString(dir.resolve("spec.yaml"), SPEC.replace("data: {path: text.txt, held_out: 0.2}", "data: {id: parallel-text, path: p.tsv}"));
        var r = MainTest.run("ngram", dir.resolve("spec.yaml").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("data.id") && r.err().contains("parallel-text") && r.err().contains("no single token stream"), r.err());
    }
}
