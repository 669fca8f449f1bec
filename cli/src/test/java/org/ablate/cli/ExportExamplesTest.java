package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigLoader;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Every shipped model config, built small with random weights, either exports to a Hugging Face family
 * whose folder {@code ablate import} reads back to the same model (weights bit for bit, logits on a probe,
 * the tokenizer's ids) or is refused with the exact message naming the fields no family holds.
 */
class ExportExamplesTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String TEXT = "In the beginning God created the heaven and the earth.\nAnd the earth was without form, and void.";

    /** What each shipped config does on export: the family it becomes, or the refusal. */
    static final Map<String, String> EXPECTED = Map.of(
            "specs/gpt-char.yaml", "gpt_neox",
            "configs/llama-style.yaml", "llama",
            "configs/gpt-bpe-sinusoidal-postln.yaml", "ablate export: model.block.id = post-norm, model.positional.id = sinusoidal have no equivalent"
                    + " in any Hugging Face family of decoder-only models; considered gpt2 (needs block.id = pre-norm, positional.id = learned),"
                    + " llama (needs block.id = pre-norm, positional.id = rope), gpt_neox (needs block.id = pre-norm, positional.id = rope)");

    static Stream<String> shipped() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("../examples/configs"))) {
            List<String> configs = s.map(p -> "configs/" + p.getFileName()).filter(n -> n.endsWith(".yaml")).sorted().toList();
            return Stream.concat(Stream.of("specs/gpt-char.yaml"), configs.stream());
        }
    }

    /** The config's model section made tiny (sizes only; every part is kept), with a char tokenizer trained on TEXT. */
    @SuppressWarnings("unchecked")
    static Model tiny(String name, Tokenizer tok) throws Exception {
        JsonNode root = YAML.readTree(Path.of("../examples", name).toFile());
        Map<String, Object> m = YAML.convertValue(root.has("model") ? root.get("model") : root, LinkedHashMap.class);
        m.put("layers", 2);
        m.put("d_model", 32);
        m.put("d_ff", 40);
        m.put("max_positions", 24);
        m.put("vocab_size", tok.vocabSize());
        m.put("tokenizer", Map.of("id", "char"));
        return new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).fromMap(name, m), 7, null);
    }

    @ParameterizedTest @MethodSource("shipped")
    void exportsFaithfullyOrRefusesByName(String name, @TempDir Path dir) throws Exception {
        String expected = EXPECTED.get(name);
        if (expected == null) fail("../examples/" + name + " is a shipped config without an expected export outcome here; add it to EXPECTED");
        Tokenizer tok = REGISTRY.tokenizer("char").train(TEXT, REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
        Model model = tiny(name, tok);
        Checkpoint.save(dir.resolve("run"), model, tok, Map.of());
        MainTest.Result r = MainTest.run("export", dir.resolve("run").toString(), dir.resolve("hf").toString());
        if (expected.startsWith("ablate export: ")) {
            assertEquals(1, r.code(), r.out());
            assertEquals(expected, r.err().strip());
            assertFalse(Files.exists(dir.resolve("hf")), "nothing written on refusal");
            return;
        }
        assertEquals(0, r.code(), r.err());
        JsonNode config = new ObjectMapper().readTree(dir.resolve("hf/config.json").toFile());
        assertEquals(expected, config.path("model_type").asText());
        assertTrue(Files.isRegularFile(dir.resolve("hf/tokenizer.json")), "the char tokenizer as tokenizer.json");

        MainTest.Result back = MainTest.run("import", dir.resolve("hf").toString(), dir.resolve("back").toString());
        assertEquals(0, back.code(), back.err());
        Checkpoint.Loaded loaded = Checkpoint.load(dir.resolve("back"), REGISTRY);
        Model again = loaded.model();
        assertEquals(model.parameters().keySet(), again.parameters().keySet());
        for (var e : model.parameters().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), again.parameters().get(e.getKey()).toArray(), name + ": " + e.getKey());
        }
        String probe = "And God said, Let there be light";
        assertArrayEquals(tok.encode(probe), loaded.tokenizer().encode(probe), "the tokenizer reads back with the same ids");
        assertEquals(tok.vocabSize(), loaded.tokenizer().vocabSize());
        IntTensor ids = IntTensor.of(tok.encode(probe.substring(0, 12)), 1, 12);
        try (var g = Tensor.noGrad()) {
            // equal weights give equal logits up to summation order (see CheckpointTest.SAME_WEIGHTS_LOGITS)
            assertArrayEquals(model.forward(ids, null, null).toArray(), again.forward(ids, null, null).toArray(), 1e-5f, name + ": logits");
        }
    }
}
