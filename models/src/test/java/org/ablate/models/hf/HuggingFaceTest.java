package org.ablate.models.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigLoader;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

class HuggingFaceTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    final HuggingFace hf = new HuggingFace(REGISTRY);

    static Path root() {
        String prop = System.getProperty("ablate.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        if (!Files.isDirectory(dir)) fail("conformance data not found at " + dir.toAbsolutePath() + " (set -Dablate.conformance.dir)");
        return dir;
    }

    /** Every Hugging Face checkpoint folder among the conformance cases. */
    static List<Path> checkpoints() throws Exception {
        try (var s = Files.list(root())) {
            List<Path> out = s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().toList();
            assertTrue(out.size() >= 4, "expected the GPT-2, BERT, LLaMA and Marian checkpoints under " + root());
            return out;
        }
    }

    static void assertSameParameters(Model a, Model b) {
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        for (var e : a.parameters().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), b.parameters().get(e.getKey()).toArray(), e.getKey());
        }
    }

    @Test void importExportImportIsExactInHfLayout(@TempDir Path tmp) throws Exception {
        for (Path dir : checkpoints()) {
            HfModel first = hf.load(dir);
            Path out = tmp.resolve(dir.getFileName());
            hf.export(first.model(), out, first.eos(), first.pad(), first.decoderStart());
            HfModel second = hf.load(out);
            assertEquals(first.family(), second.family());
            assertEquals(first.model().config().toMap(), second.model().config().toMap(), dir.toString());
            assertSameParameters(first.model(), second.model());
            // Every tensor of the original file is written under its own name with the same values.
            try (SafetensorsFile original = Safetensors.open(dir.resolve("model.safetensors"));
                 SafetensorsFile written = Safetensors.open(out.resolve("model.safetensors"))) {
                for (String n : original.names()) {
                    String name = written.names().contains(n) ? n : "bert." + n; // a bare BertModel is written as BertForMaskedLM
                    assertTrue(written.names().contains(name), dir.getFileName() + ": exported file lacks " + n);
                    assertArrayEquals(original.tensor(n).toArray(), written.tensor(name).toArray(), n);
                }
            }
        }
    }

    /** F32 tensors stored as the model holds them are read in place from the file; transposed ones are copied. */
    @Test void weightsStoredAsTheModelHoldsThemAreUsedInPlace() throws Exception {
        java.util.Map<String, Tensor> bert = hf.load(root().resolve("bert_tiny")).model().parameters();
        java.util.List<String> copied = bert.entrySet().stream().filter(e -> e.getValue().mappedRegion() == null).map(java.util.Map.Entry::getKey).toList();
        assertEquals(java.util.List.of(), copied, "BERT's tensors all lie as the model holds them");
        java.util.Map<String, Tensor> gpt2 = hf.load(root().resolve("gpt2_tiny")).model().parameters();
        long inPlace = gpt2.values().stream().filter(t -> t.mappedRegion() != null).count();
        assertTrue(inPlace > 0 && inPlace < gpt2.size(), "GPT-2: embeddings, norms and biases in place, its transposed Conv1D"
                + " weights copied; in place " + inPlace + " of " + gpt2.size());
    }

    @Test void modelBuiltHereExportsAsGpt2(@TempDir Path tmp) throws Exception {
        String yaml = """
                architecture: decoder-only
                layers: 2
                d_model: 16
                heads: 2
                d_ff: 40
                vocab_size: 30
                max_positions: 12
                norm: {id: layer-norm, placement: pre}
                attention: {id: multi-head}
                positional: {id: learned}
                feed_forward: {id: mlp, activation: gelu-tanh}
                """;
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("gpt.yaml", yaml, true), 3, null);
        hf.export(m, tmp, -1, -1, -1);
        String config = Files.readString(tmp.resolve("config.json"));
        assertTrue(config.contains("\"model_type\" : \"gpt2\""), config);
        try (SafetensorsFile f = Safetensors.open(tmp.resolve("model.safetensors"))) {
            assertArrayEquals(new int[] {16, 48}, f.info("transformer.h.0.attn.c_attn.weight").intShape(), "Conv1D layout [in, 3·out]");
        }
        HfModel back = hf.load(tmp);
        assertSameParameters(m, back.model());
        IntTensor ids = IntTensor.of(new int[] {1, 5, 9, 2}, 1, 4);
        try (var g = Tensor.noGrad()) {
            // weights are equal bit for bit (above); logits to the last bits only: see CheckpointTest.SAME_WEIGHTS_LOGITS
            assertArrayEquals(m.forward(ids, null, null).toArray(), back.model().forward(ids, null, null).toArray(), 1e-5f);
        }
    }

    @ParameterizedTest @CsvSource(delimiter = '|', value = {
            "positional: {id: alibi}|model.positional.id = alibi has no equivalent in any Hugging Face family of decoder-only models;"
                    + " considered gpt2 (needs positional.id = learned), llama (needs positional.id = rope), gpt_neox (needs positional.id = rope)",
            "feed_forward: {id: swiglu}\\nnorm: {id: layer-norm, placement: post}|model.block.id = post-norm has no equivalent in any"
                    + " Hugging Face family of decoder-only models; considered gpt2 (needs block.id = pre-norm), llama (needs block.id = pre-norm),"
                    + " gpt_neox (needs block.id = pre-norm)"})
    void noEquivalentArchitectureIsRefused(String change, String expected, @TempDir Path tmp) {
        change = change.replace("\\n", "\n");
        String base = """
                architecture: decoder-only
                layers: 1
                d_model: 8
                heads: 2
                d_ff: 16
                vocab_size: 10
                attention: {id: multi-head}
                """;
        String parts = "norm: {id: layer-norm, placement: pre}\npositional: {id: learned}\nfeed_forward: {id: mlp, activation: gelu-tanh}\n";
        for (String line : change.split("\n")) parts = parts.replaceAll("(?m)^" + line.substring(0, line.indexOf(':')) + ":.*$", line);
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("x.yaml", base + parts, true), 1, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hf.export(m, tmp, -1, -1, -1));
        assertEquals(expected, e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("model.safetensors")), "nothing written");
    }

    @Test void missingTensorIsNamed(@TempDir Path tmp) throws Exception {
        Path gpt2 = root().resolve("gpt2_tiny");
        HfModel m = hf.load(gpt2);
        hf.export(m.model(), tmp, -1, -1, -1);
        java.util.Map<String, Tensor> all = new java.util.LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.open(tmp.resolve("model.safetensors"))) {
            for (String n : f.names()) if (!n.equals("transformer.ln_f.bias")) all.put(n, f.tensor(n));
        }
        Safetensors.write(tmp.resolve("model.safetensors"), all, java.util.Map.of());
        var e = assertThrows(java.io.IOException.class, () -> hf.load(tmp));
        assertTrue(e.getMessage().contains("transformer.ln_f.bias"), e.getMessage());
    }

    /** A family whose mapping leaves a parameter without a tensor (a mapping bug) is refused, naming the parameter. */
    @Test void aParameterNoTensorFillsIsNamed() throws Exception {
        Path gpt2 = root().resolve("gpt2_tiny");
        HfFamily real = HuggingFace.family("gpt2");
        HfFamily missingFinalNormBias = new HfFamily() {
            @Override public String modelType() { return real.modelType(); }
            @Override public org.ablate.models.config.Architecture architecture() { return real.architecture(); }
            @Override public java.util.Map<String, Object> write(org.ablate.models.config.ModelConfig c) { return real.write(c); }
            @Override public Mapping read(com.fasterxml.jackson.databind.JsonNode config, java.util.function.Predicate<String> has) {
                Mapping m = real.read(config, has);
                assertTrue(m.weights().entries().removeIf(e -> e.hf().equals("transformer.ln_f.bias")), "the GPT-2 mapping names ln_f.bias");
                return m;
            }
        };
        Path configFile = gpt2.resolve("config.json");
        var config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(configFile.toFile());
        try (HuggingFace.Weights weights = HuggingFace.Weights.open(gpt2)) {
            var e = assertThrows(java.io.IOException.class, () -> hf.load(gpt2, configFile, config, missingFinalNormBias, weights));
            assertTrue(e.getMessage().startsWith(gpt2 + ": nothing in the checkpoint fills the model's parameter \""), e.getMessage());
            assertTrue(e.getMessage().endsWith("(the gpt2 mapping has no entry for it)"), e.getMessage());
        }
    }

    @Test void shardedCheckpointLoads(@TempDir Path tmp) throws Exception {
        HfModel whole = hf.load(root().resolve("llama_tiny"));
        Path single = tmp.resolve("single"), sharded = tmp.resolve("sharded");
        hf.export(whole.model(), single, -1, -1, -1);
        Files.createDirectories(sharded);
        Files.copy(single.resolve("config.json"), sharded.resolve("config.json"));
        java.util.Map<String, Tensor> a = new java.util.LinkedHashMap<>(), b = new java.util.LinkedHashMap<>();
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        try (SafetensorsFile f = Safetensors.open(single.resolve("model.safetensors"))) {
            int i = 0;
            for (String n : f.names()) {
                boolean first = i++ % 2 == 0;
                (first ? a : b).put(n, f.tensor(n));
                index.append(i > 1 ? ", " : "").append('"').append(n).append("\": \"model-0000").append(first ? 1 : 2).append("-of-00002.safetensors\"");
            }
        }
        Safetensors.write(sharded.resolve("model-00001-of-00002.safetensors"), a, java.util.Map.of());
        Safetensors.write(sharded.resolve("model-00002-of-00002.safetensors"), b, java.util.Map.of());
        Files.writeString(sharded.resolve("model.safetensors.index.json"), index.append("}}").toString());
        assertSameParameters(whole.model(), hf.load(sharded).model());
    }

    @Test void classifierRoundTripsAsBertForSequenceClassification(@TempDir Path tmp) throws Exception {
        String yaml = """
                architecture: encoder-only
                layers: 1
                d_model: 16
                heads: 2
                d_ff: 32
                vocab_size: 25
                max_positions: 10
                type_vocab_size: 2
                num_labels: 3
                norm: {id: layer-norm, placement: post, embedding: true, eps: 1.0e-12}
                attention: {id: multi-head}
                positional: {id: learned}
                feed_forward: {id: mlp, activation: gelu}
                """;
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("bert.yaml", yaml, true), 4, null);
        hf.export(m, tmp, -1, 0, -1);
        assertTrue(Files.readString(tmp.resolve("config.json")).contains("BertForSequenceClassification"));
        HfModel back = hf.load(tmp);
        assertEquals(3, back.model().config().numLabels());
        assertSameParameters(m, back.model());
        IntTensor ids = IntTensor.of(new int[] {2, 7, 9, 3}, 1, 4);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(m.classify(m.encode(ids, null, null)).toArray(), back.model().classify(back.model().encode(ids, null, null)).toArray(), 1e-5f);
        }
    }

    /** A BERT export holds the heads the model has and no others; reading it back gives the same heads. */
    @ParameterizedTest @CsvSource(delimiter = '|', value = {
            "mlm_head: {id: masked-lm}|BertForMaskedLM|cls.predictions.bias|pooler.dense.weight",
            "pooler: {id: pooler}|BertModel|bert.pooler.dense.weight|cls.predictions.bias",
            "mlm_head: {id: masked-lm}, pooler: {id: pooler}|BertForMaskedLM|bert.pooler.dense.weight|cls.seq_relationship.weight"})
    void bertHeadsAreNeitherLostNorInvented(String heads, String architecture, String present, String absent, @TempDir Path tmp) throws Exception {
        String yaml = """
                architecture: encoder-only
                layers: 1
                d_model: 16
                heads: 2
                d_ff: 32
                vocab_size: 25
                max_positions: 10
                type_vocab_size: 2
                norm: {id: layer-norm, placement: post, embedding: true, eps: 1.0e-12}
                attention: {id: multi-head}
                positional: {id: learned}
                feed_forward: {id: mlp, activation: gelu}
                """ + "output_heads: {" + heads + "}\n";
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("bert.yaml", yaml, true), 4, null);
        hf.export(m, tmp, -1, 0, -1);
        assertTrue(Files.readString(tmp.resolve("config.json")).contains("\"" + architecture + "\""));
        try (SafetensorsFile f = Safetensors.open(tmp.resolve("model.safetensors"))) {
            assertTrue(f.names().contains(present), present);
            assertTrue(f.names().stream().noneMatch(n -> n.equals(absent)), absent + " must not be invented");
        }
        HfModel back = hf.load(tmp);
        assertEquals(m.config().outputHeads().keySet(), back.model().config().outputHeads().keySet());
        assertSameParameters(m, back.model());
    }

    @Test void anUntiedMaskedLmHeadIsRefusedByField(@TempDir Path tmp) {
        String yaml = """
                architecture: encoder-only
                layers: 1
                d_model: 16
                heads: 2
                d_ff: 32
                vocab_size: 25
                max_positions: 10
                type_vocab_size: 2
                norm: {id: layer-norm, placement: post, embedding: true, eps: 1.0e-12}
                attention: {id: multi-head}
                positional: {id: learned}
                feed_forward: {id: mlp, activation: gelu}
                output_heads: {mlm_head: {id: masked-lm, tied: false}}
                """;
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("bert.yaml", yaml, true), 4, null);
        var e = assertThrows(IllegalArgumentException.class, () -> hf.export(m, tmp, -1, 0, -1));
        assertEquals("model.output_heads.mlm_head.tied = false has no equivalent in any Hugging Face family of encoder-only models;"
                + " considered bert (needs output_heads.mlm_head.tied = true)", e.getMessage());
    }

    @Test void aBertFileWithNeitherMlmHeadNorPoolerIsRefused(@TempDir Path tmp) throws Exception {
        Path dir = root().resolve("bert_encoder_tiny");
        Files.copy(dir.resolve("config.json"), tmp.resolve("config.json"));
        java.util.Map<String, Tensor> kept = new java.util.LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.open(dir.resolve("model.safetensors"))) {
            for (String n : f.names()) if (!n.startsWith("pooler.")) kept.put(n, f.tensor(n));
        }
        Safetensors.write(tmp.resolve("model.safetensors"), kept, java.util.Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> hf.load(tmp));
        assertEquals("config.json: this BERT checkpoint has neither an MLM head (cls.predictions.*) nor a pooler (pooler.dense.*);"
                + " a model needs at least one head", e.getMessage());
    }
}
