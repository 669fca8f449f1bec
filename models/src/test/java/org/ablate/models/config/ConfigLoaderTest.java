package org.ablate.models.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.platform.ComponentRegistry;

class ConfigLoaderTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    final ConfigLoader loader = new ConfigLoader(REGISTRY);

    static final String YAML = """
            architecture: decoder-only
            layers: 2
            d_model: 32
            heads: 4
            kv_heads: 2
            d_ff: 64
            vocab_size: 100
            max_positions: 64
            norm: {id: layer-norm, placement: pre, eps: 1.0e-6}
            attention: {id: grouped-query}
            positional: {id: rope, theta: 10000}
            feed_forward: {id: mlp, activation: gelu}
            sampler: [{id: temperature, value: 0.8}, {id: top-p, p: 0.9}]
            """;

    /** Replaces one line of the YAML example (matched by its start) with {@code line}, or drops it when {@code line} is empty. */
    static String yamlWith(String start, String line) {
        StringBuilder sb = new StringBuilder();
        for (String l : YAML.split("\n")) {
            if (l.startsWith(start)) { if (!line.isEmpty()) sb.append(line).append('\n'); }
            else sb.append(l).append('\n');
        }
        return sb.toString();
    }

    ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> loader.parse("model.yaml", yaml, true));
    }

    /** Cross-attention as the self-attention would drop the configured RoPE without a word: refused, naming the field. */
    @Test void crossAttentionIsNotASelfAttention() {
        ConfigException e = fails(yamlWith("attention:", "attention: {id: cross}"));
        assertTrue(e.getMessage().contains("attention.id") && e.getMessage().contains("multi-head"), e.getMessage());
    }

    @Test void readsTheYamlExample() {
        ModelConfig c = loader.parse("model.yaml", YAML, true);
        assertEquals(Architecture.DECODER_ONLY, c.architecture());
        assertEquals(2, c.decoderLayers());
        assertEquals(0, c.encoderLayers());
        assertEquals(32, c.dModel());
        assertEquals(2, c.kvHeads());
        assertEquals(8, c.headDim());
        assertEquals("pre-norm", c.block().id());
        assertTrue(c.finalNorm(), "pre-norm stacks end with a norm by default");
        assertEquals(1e-6, c.norm().params().getDouble("eps"), 0);
        assertFalse(c.norm().params().values().containsKey("placement"), "placement is the model's, not the norm provider's");
        assertEquals(10000.0, c.positional().params().getDouble("theta"), 0);
        assertEquals(2, c.sampler().size());
        assertEquals("top-p", c.sampler().get(1).id());
        assertEquals(0.9, c.sampler().get(1).params().getDouble("p"), 0);
        assertTrue(c.tiedEmbeddings());
    }

    @Test void jsonFileAndRoundTrip(@TempDir Path dir) throws Exception {
        ModelConfig c = loader.parse("model.yaml", YAML, true);
        Path file = dir.resolve("model.json");
        Files.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(c.toMap()));
        ModelConfig back = loader.load(file);
        assertEquals(c.toMap(), back.toMap());
        assertEquals(file.toString(), back.source());
    }

    @Test void encoderDecoderLayers() {
        String y = yamlWith("architecture", "architecture: encoder-decoder").replace("layers: 2", "encoder_layers: 3\ndecoder_layers: 1");
        ModelConfig c = loader.parse("m.yaml", y, true);
        assertEquals(3, c.encoderLayers());
        assertEquals(1, c.decoderLayers());
        ConfigException e = fails(YAML.replace("layers: 2", "encoder_layers: 2"));
        assertEquals("encoder_layers", e.field());
    }

    @Test void unknownIdNamesFileFieldAndSuggests() {
        ConfigException e = fails(yamlWith("positional", "positional: {id: roppe}"));
        assertEquals("positional.id", e.field());
        assertEquals("model.yaml", e.file());
        assertTrue(e.getMessage().startsWith("model.yaml: positional.id: "), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean \"rope\""), e.getMessage());
        assertTrue(e.getMessage().contains("sinusoidal"), "lists the known ids: " + e.getMessage());
    }

    @Test void unknownSamplerIdInChain() {
        ConfigException e = fails(yamlWith("sampler", "sampler: [{id: temperature, value: 0.8}, {id: top-q, p: 0.9}]"));
        assertEquals("sampler.1.id", e.field());
        assertTrue(e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test void dModelNotDivisibleByHeads() {
        ConfigException e = fails(yamlWith("heads", "heads: 5"));
        assertEquals("heads", e.field());
        assertTrue(e.getMessage().contains("must divide d_model 32"), e.getMessage());
    }

    @Test void kvHeadsMustDivideHeads() {
        ConfigException e = fails(yamlWith("kv_heads", "kv_heads: 3"));
        assertEquals("kv_heads", e.field());
        assertTrue(e.getMessage().contains("must divide heads 4"), e.getMessage());
    }

    @Test void missingField() {
        ConfigException e = fails(yamlWith("d_model", ""));
        assertEquals("d_model", e.field());
        assertTrue(e.getMessage().contains("required"), e.getMessage());
        assertEquals("attention", fails(yamlWith("attention", "")).field());
        assertEquals("vocab_size", fails(yamlWith("vocab_size", "")).field());
    }

    @Test void mistypedFields() {
        ConfigException e = fails(yamlWith("d_model", "d_model: big"));
        assertEquals("d_model", e.field());
        assertTrue(e.getMessage().contains("expected an integer"), e.getMessage());
        assertTrue(e.getMessage().contains("\"big\""), e.getMessage());
        assertEquals("dropout", fails(YAML + "dropout: high\n").field());
        assertEquals("tied_embeddings", fails(YAML + "tied_embeddings: 1\n").field());
        assertEquals("layers", fails(yamlWith("layers", "layers: 2.5")).field());
        assertEquals("norm", fails(yamlWith("norm", "norm: layer-norm")).field());
        assertEquals("attention.id", fails(yamlWith("attention", "attention: {id: 3}")).field());
    }

    @Test void unknownFields() {
        ConfigException e = fails(YAML + "d_modle: 3\n");
        assertEquals("d_modle", e.field());
        assertTrue(e.getMessage().contains("did you mean \"d_model\""), e.getMessage());
        ConfigException p = fails(yamlWith("positional", "positional: {id: rope, thetta: 10}"));
        assertEquals("positional.thetta", p.field());
        assertTrue(p.getMessage().contains("did you mean \"theta\""), p.getMessage());
    }

    @Test void providerParameterOutOfRange() {
        ConfigException e = fails(yamlWith("sampler", "sampler: [{id: temperature, value: 0.8}, {id: top-p, p: 2}]"));
        assertEquals("sampler.1.p", e.field());
        ConfigException a = fails(yamlWith("feed_forward", "feed_forward: {id: mlp, activation: gelo}"));
        assertEquals("feed_forward.activation", a.field());
        assertTrue(a.getMessage().contains("did you mean \"gelu\""), a.getMessage());
    }

    @Test void normPlacementChoice() {
        ConfigException e = fails(yamlWith("norm", "norm: {id: layer-norm, placement: middle}"));
        assertEquals("norm.placement", e.field());
        assertTrue(e.getMessage().contains("pre, post"), e.getMessage());
        ModelConfig post = loader.parse("m.yaml", yamlWith("norm", "norm: {id: rms-norm, placement: post}"), true);
        assertEquals("post-norm", post.block().id());
        assertFalse(post.finalNorm());
    }

    @Test void malformedSyntaxNamesLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("m.json", "{\"layers\": 2,,}", false));
        assertTrue(e.getMessage().startsWith("m.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test void classificationOnlyForEncoders() {
        assertEquals("num_labels", fails(YAML + "num_labels: 3\n").field());
    }

    /** The example of the design notes, as written there (vocab_size from the tokenizer block). */
    @Test void designNotesExample() {
        String yaml = """
                architecture: decoder-only
                layers: 4
                d_model: 256
                heads: 4
                d_ff: 1024
                norm: {id: layer-norm, placement: pre}
                attention: {id: multi-head}
                positional: {id: rope, theta: 10000}
                feed_forward: {id: mlp, activation: gelu}
                tokenizer: {id: byte-bpe, vocab_size: 4096}
                sampler: [{id: temperature, value: 0.8}, {id: top-p, p: 0.9}]
                """;
        ModelConfig c = loader.parse("design.yaml", yaml, true);
        assertEquals(4096, c.vocabSize());
        assertEquals("byte-bpe", c.tokenizer().id());
        assertEquals(4, c.kvHeads());
    }
}
