package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.hf.HfModel;
import org.ablate.models.hf.HuggingFace;

class ExportCommandTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    static Model model(int vocab, String positional) {
        String yaml = """
                architecture: decoder-only
                layers: 2
                d_model: 16
                heads: 4
                kv_heads: 2
                d_ff: 24
                max_positions: 16
                bias: false
                norm: {id: rms-norm, placement: pre}
                attention: {id: grouped-query}
                feed_forward: {id: swiglu}
                tokenizer: {id: char}
                """ + "positional: {id: " + positional + "}\nvocab_size: " + vocab + "\n";
        return new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("tiny.yaml", yaml, true), 9, null);
    }

    @Test void exportsACheckpointAsLlama(@TempDir Path dir) throws Exception {
        Tokenizer tok = REGISTRY.tokenizer("char").train("an exported model", REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
        Model m = model(tok.vocabSize(), "rope");
        Checkpoint.save(dir.resolve("run"), m, tok, Map.of());
        MainTest.Result r = MainTest.run("export", dir.resolve("run").toString(), dir.resolve("hf").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("parameters"), r.out());
        assertTrue(Files.readString(dir.resolve("hf/config.json")).contains("\"LlamaForCausalLM\""));
        HfModel back = new HuggingFace(REGISTRY).load(dir.resolve("hf"));
        assertEquals(m.parameters().keySet(), back.model().parameters().keySet());
        for (var e : m.parameters().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), back.model().parameters().get(e.getKey()).toArray(), e.getKey());
        }
    }

    @Test void refusesAModelWithoutHfEquivalent(@TempDir Path dir) throws Exception {
        Tokenizer tok = REGISTRY.tokenizer("char").train("an exported model", REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
        Checkpoint.save(dir.resolve("run"), model(tok.vocabSize(), "alibi"), tok, Map.of());
        MainTest.Result r = MainTest.run("export", dir.resolve("run").toString(), dir.resolve("hf").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model.positional.id = alibi has no equivalent in any Hugging Face family"), r.err());
        assertTrue(!Files.exists(dir.resolve("hf/model.safetensors")), "nothing written");
    }

    @Test void anExportedCharTokenizerJsonIsReadStrictly(@TempDir Path dir) throws Exception {
        Tokenizer tok = REGISTRY.tokenizer("char").train("an exported model", REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
        Checkpoint.save(dir.resolve("run"), model(tok.vocabSize(), "rope"), tok, Map.of());
        assertEquals(0, MainTest.run("export", dir.resolve("run").toString(), dir.resolve("hf").toString()).code());
        Path json = dir.resolve("hf/tokenizer.json");
        Files.writeString(json, Files.readString(json).replace("\"Split\"", "\"Metaspace\""));
        MainTest.Result r = MainTest.run("import", dir.resolve("hf").toString(), dir.resolve("back").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(json + ": field \"pre_tokenizer\" is an object; char (a WordLevel tokenizer.json) supports only"), r.err());
    }

    @Test void aTokenizerWithoutHuggingFaceFormIsRefusedByItsId() {
        Tokenizer tok = REGISTRY.tokenizer("char").train("an exported model", REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> org.ablate.models.hf.HfTokenizerFiles.check("sentencepiece", tok));
        assertEquals("tokenizer.id = sentencepiece has no Hugging Face tokenizer form here (char, byte-bpe and wordpiece have);"
                + " export without it with --without-tokenizer", e.getMessage());
    }
}
