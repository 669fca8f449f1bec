package org.ablate.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigLoader;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.optim.AdamW;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    /**
     * Weights are compared bit for bit; logits of two models with the same weights may still differ in the last
     * bits: the Vector API's EXP and TANH round differently before the JIT compiles a kernel (Java's Math) and
     * after (the CPU's vector math library), so a forward pass run cold and one run warm need not agree exactly.
     */
    static final float SAME_WEIGHTS_LOGITS = 1e-5f;

    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    @TempDir Path dir;

    static Tokenizer tokenizer() {
        return REGISTRY.tokenizer("char").train("hello world, hello checkpoint", REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
    }

    /** A one-layer decoder; the tests add its vocabulary size and, when it has one, its tokenizer. */
    private static final String TINY = """
            architecture: decoder-only
            layers: 1
            d_model: 16
            heads: 2
            d_ff: 32
            max_positions: 16
            norm: {id: rms-norm, placement: pre}
            attention: {id: grouped-query}
            kv_heads: 1
            positional: {id: rope}
            feed_forward: {id: swiglu}
            """;

    static Model model(int vocab, long seed) {
        String yaml = TINY + "tokenizer: {id: char}\nvocab_size: " + vocab + "\n";
        return new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("tiny.yaml", yaml, true), seed, null);
    }

    static float[] logits(Model m) {
        try (NoGrad g = Tensor.noGrad()) {
            return m.forward(IntTensor.of(new int[] {1, 2, 3, 4}, 1, 4), null, null).toArray();
        }
    }

    @Test
    void saveThenLoadGivesTheSameModelTokenizerAndMetrics() throws IOException {
        Tokenizer tok = tokenizer();
        Model m = model(tok.vocabSize(), 5);
        Path ckpt = dir.resolve("run");
        Checkpoint.save(ckpt, m, tok, Map.of("final_perplexity", 12.5));
        Checkpoint.Loaded back = Checkpoint.load(ckpt, REGISTRY);
        assertEquals(m.parameters().keySet(), back.model().parameters().keySet());
        for (var e : m.parameters().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), back.model().parameters().get(e.getKey()).toArray(), e.getKey());
        }
        assertArrayEquals(logits(m), logits(back.model()), SAME_WEIGHTS_LOGITS);
        assertArrayEquals(tok.encode("hello world"), back.tokenizer().encode("hello world"));
        assertEquals(12.5, ((Number) back.metrics().get("final_perplexity")).doubleValue());
    }

    @Test
    void loadedWeightsAreReadFromTheFileUntilTrainingWritesThemAndTheFileNeverChanges() throws IOException {
        Tokenizer tok = tokenizer();
        Model m = model(tok.vocabSize(), 6);
        Path ckpt = dir.resolve("mapped");
        Checkpoint.save(ckpt, m, tok, Map.of());
        byte[] file = Files.readAllBytes(ckpt.resolve("model.safetensors"));
        Model back = Checkpoint.load(ckpt, REGISTRY).model();
        for (var e : back.parameters().entrySet()) assertNotNull(e.getValue().mappedRegion(), e.getKey() + " copied on load");
        float[] before = logits(back);
        assertArrayEquals(logits(m), before, SAME_WEIGHTS_LOGITS);

        // saved over its own folder while its weights still come from the file there: the old file stays readable
        Checkpoint.save(ckpt, back, tok, Map.of());
        assertArrayEquals(file, Files.readAllBytes(ckpt.resolve("model.safetensors")), "same weights, same bytes");
        assertArrayEquals(before, logits(back), "the model still reads the replaced file's pages");

        // a training step copies each weight it updates; the checkpoint keeps the weights it had
        Tensor loss = back.forward(IntTensor.of(new int[] {1, 2, 3, 4}, 1, 4), null, null).pow(2f).mean();
        loss.backward();
        new AdamW(back.parameters().values(), 0.1, 0).step();
        for (var e : back.parameters().entrySet()) assertNull(e.getValue().mappedRegion(), e.getKey() + " still mapped after a step");
        assertFalse(java.util.Arrays.equals(before, logits(back)), "the step changed the model");
        assertArrayEquals(file, Files.readAllBytes(ckpt.resolve("model.safetensors")), "training must not write the checkpoint");
        assertArrayEquals(before, logits(Checkpoint.load(ckpt, REGISTRY).model()));
    }

    /** Map.of's order changes from JVM to JVM; a checkpoint's metadata is written sorted so equal weights give equal bytes. */
    @Test
    void metadataIsWrittenInSortedOrder() throws IOException {
        Tokenizer tok = tokenizer();
        Path ckpt = dir.resolve("run");
        Checkpoint.save(ckpt, model(tok.vocabSize(), 5), tok, Map.of());
        String header = new String(Files.readAllBytes(ckpt.resolve("model.safetensors")), java.nio.charset.StandardCharsets.ISO_8859_1);
        int architecture = header.indexOf("\"architecture\""), format = header.indexOf("\"format\"");
        assertTrue(architecture > 0 && format > architecture, "metadata keys in sorted order: architecture at " + architecture + ", format at " + format);
    }

    @Test
    void overwritingReplacesTheWholeFolderAndLeavesNoTemporaries() throws IOException {
        Tokenizer tok = tokenizer();
        Path ckpt = dir.resolve("run");
        Checkpoint.save(ckpt, model(tok.vocabSize(), 1), tok, Map.of());
        Model second = model(tok.vocabSize(), 2);
        Checkpoint.save(ckpt, second, tok, Map.of());
        assertArrayEquals(logits(second), logits(Checkpoint.load(ckpt, REGISTRY).model()), SAME_WEIGHTS_LOGITS);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the checkpoint folder may remain");
        }
    }

    @Test
    void aModelWithoutTokenizerSavesAndLoadsWithoutOne() throws IOException {
        String yaml = TINY + "vocab_size: 20\n";
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("untokenized.yaml", yaml, true), 3, null);
        Path ckpt = dir.resolve("bare");
        Checkpoint.save(ckpt, m, null, Map.of("eos_token_id", 7));
        assertTrue(!Files.exists(ckpt.resolve("tokenizer")), "no tokenizer folder");
        Checkpoint.Loaded back = Checkpoint.load(ckpt, REGISTRY);
        assertEquals(null, back.tokenizer());
        assertEquals(7, ((Number) back.metrics().get("eos_token_id")).intValue());
        assertArrayEquals(logits(m), logits(back.model()), SAME_WEIGHTS_LOGITS);
        // The config and the tokenizer must agree: one without the other is refused, naming the tokenizer.
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(dir.resolve("x"), m, tokenizer(), Map.of()));
        assertTrue(e.getMessage().contains("names no tokenizer but one was given"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(dir.resolve("y"), model(tokenizer().vocabSize(), 1), null, Map.of()));
        assertTrue(f.getMessage().contains("names tokenizer \"char\" but no tokenizer was given"), f.getMessage());
    }

    @Test
    void aMissingTokenizerFolderIsRefusedByName() throws IOException {
        Tokenizer tok = tokenizer();
        Path ckpt = dir.resolve("run");
        Checkpoint.save(ckpt, model(tok.vocabSize(), 1), tok, Map.of());
        try (var files = Files.walk(ckpt.resolve("tokenizer"))) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        var e = assertThrows(IOException.class, () -> Checkpoint.load(ckpt, REGISTRY));
        assertTrue(e.getMessage().startsWith(ckpt.resolve("tokenizer") + ": missing; config.json's field tokenizer names \"char\""), e.getMessage());
    }

    @Test
    void aFolderWithoutConfigIsRefusedByName() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        var e = assertThrows(IOException.class, () -> Checkpoint.load(empty, REGISTRY));
        assertTrue(e.getMessage().startsWith(empty + ": not a checkpoint folder"), e.getMessage());
    }

    @Test
    void weightsThatDoNotMatchTheConfigAreRefusedByName() throws IOException {
        Tokenizer tok = tokenizer();
        Path ckpt = dir.resolve("run");
        Checkpoint.save(ckpt, model(tok.vocabSize(), 1), tok, Map.of());
        String config = Files.readString(ckpt.resolve("config.json")).replace("\"d_ff\" : 32", "\"d_ff\" : 48");
        Files.writeString(ckpt.resolve("config.json"), config);
        var e = assertThrows(IOException.class, () -> Checkpoint.load(ckpt, REGISTRY));
        assertTrue(e.getMessage().contains("model.safetensors: weight \"") && e.getMessage().contains("has shape"), e.getMessage());
    }
}
