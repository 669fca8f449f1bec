package org.ablate.models.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.ablate.tensor.Tensor;

/**
 * Loads Hugging Face checkpoints (a folder with {@code config.json} and {@code model.safetensors} or a
 * sharded {@code model.safetensors.index.json}) of GPT-2, BERT, LLaMA and Marian into the equivalent
 * Ablate config and weights.
 */
public final class HuggingFace {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ComponentRegistry registry;

    public HuggingFace(ComponentRegistry registry) { this.registry = registry; }

    /** Reads the checkpoint in {@code dir}. */
    public HfModel load(Path dir) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new IOException(dir + ": no config.json (expected a Hugging Face checkpoint folder)");
        JsonNode hf = JSON.readTree(configFile.toFile());
        String type = hf.path("model_type").asText("");
        // An unsupported model_type is the first thing to say, before any weight file is looked for.
        if (!List.of("gpt2", "llama", "bert", "marian").contains(type)) {
            throw new IOException(configFile + ": model_type \"" + type + "\" is not supported; expected gpt2, bert, llama or marian");
        }
        try (Weights weights = Weights.open(dir)) {
            return load(dir, configFile, hf, weights);
        }
    }

    private HfModel load(Path dir, Path configFile, JsonNode hf, Weights weights) throws IOException {
        String type = hf.path("model_type").asText("");
        Mapping m = switch (type) {
            case "gpt2" -> gpt2(hf);
            case "llama" -> llama(hf);
            case "bert" -> bert(hf, weights.has("bert.embeddings.word_embeddings.weight") ? "bert." : "");
            case "marian" -> marian(hf);
            default -> throw new IOException(configFile + ": model_type \"" + type + "\" is not supported; expected gpt2, bert, llama or marian");
        };
        ModelConfig config = new ConfigLoader(registry).fromMap(configFile.toString(), m.config);
        Model model = new ModelBuilder(registry).build(config, 0, null);
        Map<String, Tensor> params = model.parameters();
        Set<String> used = new LinkedHashSet<>();
        for (WeightMap.Entry e : m.map.entries()) {
            if (!weights.has(e.hf())) {
                if (e.ours().stream().allMatch(n -> OPTIONAL.stream().anyMatch(n::startsWith))) continue;
                throw new IOException(dir + ": the checkpoint has no tensor \"" + e.hf() + "\" (needed for " + String.join(", ", e.ours()) + ")");
            }
            used.add(e.hf());
            Tensor source = weights.get(e.hf());
            List<Tensor> parts = WeightMap.fromHf(e, source, n -> shapeOf(params, n));
            for (int i = 0; i < parts.size(); i++) copyInto(e.hf(), params.get(e.ours().get(i)), parts.get(i), e.ours().get(i));
        }
        for (String n : weights.names()) {
            if (!used.contains(n) && IGNORED.stream().noneMatch(n::endsWith)) {
                throw new IOException(dir + ": tensor \"" + n + "\" has no place in the " + type + " model");
            }
        }
        return new HfModel(type, model, m.map, intOr(hf, "eos_token_id", -1), intOr(hf, "pad_token_id", -1),
                intOr(hf, "decoder_start_token_id", -1));
    }

    /**
     * Writes {@code model} as a Hugging Face checkpoint ({@code config.json} + {@code model.safetensors}) in
     * {@code dir}: GPT-2, LLaMA, BERT (BertForMaskedLM) or Marian, whichever has the same architecture.
     *
     * @param eos          end-of-sequence id to record, or -1
     * @param pad          padding id to record, or -1
     * @param decoderStart first decoder token (encoder-decoder), or -1
     * @throws IllegalArgumentException naming the difference when no HF architecture is equivalent
     */
    public void export(Model model, Path dir, int eos, int pad, int decoderStart) throws IOException {
        ModelConfig cfg = model.config();
        Map<String, Object> hf = hfConfig(cfg);
        if (eos >= 0) hf.put("eos_token_id", eos);
        if (pad >= 0) hf.put("pad_token_id", pad);
        if (decoderStart >= 0) hf.put("decoder_start_token_id", decoderStart);
        JsonNode node = JSON.valueToTree(hf);
        String type = (String) hf.get("model_type");
        Mapping m = switch (type) {
            case "gpt2" -> gpt2(node);
            case "llama" -> llama(node);
            case "bert" -> bert(node, "bert.");
            default -> marian(node);
        };
        // The HF config must read back into this very config, else the architectures differ.
        Map<String, Object> back = comparable(new ConfigLoader(registry).fromMap("exported config.json", m.config).toMap());
        Map<String, Object> ours = comparable(cfg.toMap());
        if (!back.equals(ours)) {
            for (String k : ours.keySet()) {
                if (!java.util.Objects.equals(ours.get(k), back.get(k))) {
                    throw new IllegalArgumentException("export: no Hugging Face architecture matches this model: a " + type
                            + " checkpoint would have " + k + " = " + back.get(k) + ", the model has " + ours.get(k));
                }
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Tensor> params = model.parameters();
        for (WeightMap.Entry e : m.map.entries()) tensors.put(e.hf(), WeightMap.toHf(e, params::get));
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        Path tmp = Files.createTempFile(dir, "config.json", ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), hf);
        Files.move(tmp, dir.resolve("config.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The parts of a config that decide the architecture and weights (not sampling, tokenizer or dropout). */
    private static Map<String, Object> comparable(Map<String, Object> config) {
        Map<String, Object> m = new LinkedHashMap<>(config);
        m.remove("sampler");
        m.remove("tokenizer");
        m.remove("dropout");
        // multi-head is grouped-query with kv_heads = heads: the same weights and numbers.
        if (m.get("attention") instanceof Map<?, ?> a && "multi-head".equals(a.get("id"))) m.put("attention", Map.of("id", "grouped-query", "kv_heads", 0));
        return m;
    }

    private static Map<String, Object> hfConfig(ModelConfig c) {
        Map<String, Object> h = new LinkedHashMap<>();
        String ffn = c.feedForward().id(), act = c.feedForward().params().getString("activation");
        switch (c.architecture()) {
            case DECODER_ONLY -> {
                if (c.norm().id().equals("rms-norm") || ffn.equals("swiglu") || c.positional().id().equals("rope")) {
                    h.put("model_type", "llama");
                    h.put("architectures", List.of("LlamaForCausalLM"));
                    h.put("hidden_size", c.dModel());
                    h.put("num_hidden_layers", c.decoderLayers());
                    h.put("num_attention_heads", c.heads());
                    h.put("num_key_value_heads", c.kvHeads());
                    h.put("head_dim", c.headDim());
                    h.put("intermediate_size", c.dFf());
                    h.put("vocab_size", c.vocabSize());
                    h.put("max_position_embeddings", c.maxPositions());
                    h.put("rms_norm_eps", c.norm().params().has("eps") ? c.norm().params().getDouble("eps") : 1e-6);
                    h.put("rope_parameters", Map.of("rope_theta", c.positional().params().has("theta") ? c.positional().params().getDouble("theta") : 10000.0,
                            "rope_type", "default"));
                    h.put("hidden_act", "silu");
                    h.put("tie_word_embeddings", c.tiedEmbeddings());
                    h.put("attention_bias", c.bias());
                    h.put("mlp_bias", c.bias());
                    h.put("attention_dropout", 0.0);
                } else {
                    h.put("model_type", "gpt2");
                    h.put("architectures", List.of("GPT2LMHeadModel"));
                    h.put("n_embd", c.dModel());
                    h.put("n_layer", c.decoderLayers());
                    h.put("n_head", c.heads());
                    h.put("n_inner", c.dFf());
                    h.put("vocab_size", c.vocabSize());
                    h.put("n_positions", c.maxPositions());
                    h.put("layer_norm_epsilon", c.norm().params().has("eps") ? c.norm().params().getDouble("eps") : 1e-5);
                    h.put("activation_function", hfActivation(act));
                    h.put("tie_word_embeddings", true);
                    h.put("resid_pdrop", c.dropout());
                    h.put("embd_pdrop", c.dropout());
                    h.put("attn_pdrop", c.dropout());
                }
            }
            case ENCODER_ONLY -> {
                h.put("model_type", "bert");
                h.put("architectures", List.of(c.numLabels() > 0 ? "BertForSequenceClassification" : "BertForMaskedLM"));
                if (c.numLabels() > 0) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    for (int i = 0; i < c.numLabels(); i++) labels.put(Integer.toString(i), "LABEL_" + i);
                    h.put("id2label", labels);
                }
                h.put("hidden_size", c.dModel());
                h.put("num_hidden_layers", c.encoderLayers());
                h.put("num_attention_heads", c.heads());
                h.put("intermediate_size", c.dFf());
                h.put("vocab_size", c.vocabSize());
                h.put("max_position_embeddings", c.maxPositions());
                h.put("type_vocab_size", c.typeVocabSize());
                h.put("layer_norm_eps", c.norm().params().has("eps") ? c.norm().params().getDouble("eps") : 1e-12);
                h.put("hidden_act", hfActivation(act));
                h.put("hidden_dropout_prob", c.dropout());
                h.put("attention_probs_dropout_prob", c.dropout());
                h.put("tie_word_embeddings", true);
            }
            case ENCODER_DECODER -> {
                h.put("model_type", "marian");
                h.put("architectures", List.of("MarianMTModel"));
                h.put("d_model", c.dModel());
                h.put("encoder_layers", c.encoderLayers());
                h.put("decoder_layers", c.decoderLayers());
                h.put("encoder_attention_heads", c.heads());
                h.put("decoder_attention_heads", c.heads());
                h.put("encoder_ffn_dim", c.dFf());
                h.put("decoder_ffn_dim", c.dFf());
                h.put("vocab_size", c.vocabSize());
                h.put("decoder_vocab_size", c.vocabSize());
                h.put("max_position_embeddings", c.maxPositions());
                h.put("scale_embedding", c.scaleEmbedding());
                h.put("activation_function", act != null && act.equals("silu") ? "swish" : hfActivation(act));
                h.put("share_encoder_decoder_embeddings", true);
                h.put("tie_word_embeddings", true);
                h.put("is_encoder_decoder", true);
                h.put("dropout", c.dropout());
            }
        }
        return h;
    }

    private static String hfActivation(String ours) {
        if (ours == null) return "gelu";
        return switch (ours) {
            case "gelu-tanh" -> "gelu_new";
            default -> ours;
        };
    }

    /** Parameters a checkpoint may leave out (BertModel has no MLM head, BertForMaskedLM no pooler). */
    private static final List<String> OPTIONAL = List.of("mlm_head.", "pooler.");
    /** Buffers some checkpoints carry that are not weights. */
    private static final List<String> IGNORED = List.of(".attn.bias", ".attn.masked_bias", "embeddings.position_ids");

    private static int[] shapeOf(Map<String, Tensor> params, String name) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalStateException("no parameter \"" + name + "\" in the assembled model; has " + params.keySet());
        return t.shape();
    }

    private static void copyInto(String hfName, Tensor param, Tensor value, String ours) {
        if (!java.util.Arrays.equals(param.shape(), value.shape())) {
            throw new IllegalArgumentException("\"" + hfName + "\" gives " + ours + " the shape " + java.util.Arrays.toString(value.shape())
                    + ", expected " + java.util.Arrays.toString(param.shape()));
        }
        float[] src = value.contiguous().toArray();
        System.arraycopy(src, 0, param.data(), param.offset(), src.length);
    }

    private static int intOr(JsonNode n, String key, int dflt) {
        JsonNode v = n.path(key);
        return v.isIntegralNumber() ? v.intValue() : dflt;
    }

    private static int req(JsonNode n, String key) {
        JsonNode v = n.path(key);
        if (!v.isIntegralNumber()) throw new IllegalArgumentException("config.json: \"" + key + "\" must be an integer, got " + v);
        return v.intValue();
    }

    private record Mapping(Map<String, Object> config, WeightMap map) {}

    private static Map<String, Object> comp(String id, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static String activation(String hfName) {
        return switch (hfName) {
            case "gelu" -> "gelu";
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> "gelu-tanh";
            case "relu" -> "relu";
            case "silu", "swish" -> "silu";
            default -> throw new IllegalArgumentException("config.json: activation \"" + hfName + "\" is not supported; expected gelu, gelu_new, relu, silu or swish");
        };
    }

    private Mapping gpt2(JsonNode hf) {
        int e = req(hf, "n_embd"), layers = req(hf, "n_layer");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", "decoder-only");
        c.put("layers", layers);
        c.put("d_model", e);
        c.put("heads", req(hf, "n_head"));
        c.put("d_ff", hf.path("n_inner").isIntegralNumber() ? hf.get("n_inner").intValue() : 4 * e);
        c.put("vocab_size", req(hf, "vocab_size"));
        c.put("max_positions", req(hf, "n_positions"));
        c.put("tied_embeddings", true);
        c.put("dropout", hf.path("resid_pdrop").asDouble(0.0));
        c.put("norm", comp("layer-norm", "placement", "pre", "eps", hf.path("layer_norm_epsilon").asDouble(1e-5)));
        c.put("attention", comp("multi-head"));
        c.put("positional", comp("learned"));
        c.put("feed_forward", comp("mlp", "activation", activation(hf.path("activation_function").asText("gelu_new"))));
        WeightMap w = new WeightMap()
                .same("transformer.wte.weight", "embed_tokens.weight")
                .same("transformer.wpe.weight", "decoder.embed_positions.weight");
        for (int i = 0; i < layers; i++) {
            String h = "transformer.h." + i + ".", o = "decoder.layers." + i + ".";
            w.same(h + "ln_1.weight", o + "self_attn_norm.weight").same(h + "ln_1.bias", o + "self_attn_norm.bias")
                    .fused(h + "attn.c_attn.weight", true, o + "self_attn.q_proj.weight", o + "self_attn.k_proj.weight", o + "self_attn.v_proj.weight")
                    .fused(h + "attn.c_attn.bias", false, o + "self_attn.q_proj.bias", o + "self_attn.k_proj.bias", o + "self_attn.v_proj.bias")
                    .transposed(h + "attn.c_proj.weight", o + "self_attn.out_proj.weight").same(h + "attn.c_proj.bias", o + "self_attn.out_proj.bias")
                    .same(h + "ln_2.weight", o + "ffn_norm.weight").same(h + "ln_2.bias", o + "ffn_norm.bias")
                    .transposed(h + "mlp.c_fc.weight", o + "ffn.fc1.weight").same(h + "mlp.c_fc.bias", o + "ffn.fc1.bias")
                    .transposed(h + "mlp.c_proj.weight", o + "ffn.fc2.weight").same(h + "mlp.c_proj.bias", o + "ffn.fc2.bias");
        }
        w.same("transformer.ln_f.weight", "decoder.final_norm.weight").same("transformer.ln_f.bias", "decoder.final_norm.bias");
        return new Mapping(c, w);
    }

    private Mapping llama(JsonNode hf) {
        int layers = req(hf, "num_hidden_layers");
        int e = req(hf, "hidden_size"), heads = req(hf, "num_attention_heads");
        if (hf.path("head_dim").isIntegralNumber() && hf.get("head_dim").intValue() * heads != e) {
            throw new IllegalArgumentException("config.json: head_dim " + hf.get("head_dim") + " × heads " + heads + " differs from hidden_size " + e + "; not supported");
        }
        if (hf.path("attention_bias").asBoolean(false) != hf.path("mlp_bias").asBoolean(false)) {
            throw new IllegalArgumentException("config.json: attention_bias and mlp_bias must agree");
        }
        double theta = hf.path("rope_parameters").path("rope_theta").asDouble(hf.path("rope_theta").asDouble(10000.0));
        String ropeType = hf.path("rope_parameters").path("rope_type").asText("default");
        if (!ropeType.equals("default")) throw new IllegalArgumentException("config.json: rope_parameters.rope_type \"" + ropeType + "\" is not supported; expected default");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", "decoder-only");
        c.put("layers", layers);
        c.put("d_model", e);
        c.put("heads", heads);
        c.put("kv_heads", hf.path("num_key_value_heads").asInt(heads));
        c.put("d_ff", req(hf, "intermediate_size"));
        c.put("vocab_size", req(hf, "vocab_size"));
        c.put("max_positions", req(hf, "max_position_embeddings"));
        boolean tied = hf.path("tie_word_embeddings").asBoolean(false);
        c.put("tied_embeddings", tied);
        c.put("bias", hf.path("attention_bias").asBoolean(false));
        c.put("norm", comp("rms-norm", "placement", "pre", "eps", hf.path("rms_norm_eps").asDouble(1e-6)));
        c.put("attention", comp("grouped-query"));
        c.put("positional", comp("rope", "theta", theta));
        if (!hf.path("hidden_act").asText("silu").equals("silu")) throw new IllegalArgumentException("config.json: hidden_act must be silu for LLaMA's SwiGLU");
        c.put("feed_forward", comp("swiglu"));
        WeightMap w = new WeightMap().same("model.embed_tokens.weight", "embed_tokens.weight");
        for (int i = 0; i < layers; i++) {
            String h = "model.layers." + i + ".", o = "decoder.layers." + i + ".";
            w.same(h + "input_layernorm.weight", o + "self_attn_norm.weight");
            for (String p : List.of("q", "k", "v")) {
                w.same(h + "self_attn." + p + "_proj.weight", o + "self_attn." + p + "_proj.weight");
            }
            w.same(h + "self_attn.o_proj.weight", o + "self_attn.out_proj.weight")
                    .same(h + "post_attention_layernorm.weight", o + "ffn_norm.weight");
            for (String p : List.of("gate_proj", "up_proj", "down_proj")) w.same(h + "mlp." + p + ".weight", o + "ffn." + p + ".weight");
            if (hf.path("attention_bias").asBoolean(false)) {
                for (String p : List.of("q_proj", "k_proj", "v_proj")) w.same(h + "self_attn." + p + ".bias", o + "self_attn." + p + ".bias");
                w.same(h + "self_attn.o_proj.bias", o + "self_attn.out_proj.bias");
                for (String p : List.of("gate_proj", "up_proj", "down_proj")) w.same(h + "mlp." + p + ".bias", o + "ffn." + p + ".bias");
            }
        }
        w.same("model.norm.weight", "decoder.final_norm.weight");
        if (!tied) w.same("lm_head.weight", "lm_head.weight");
        return new Mapping(c, w);
    }

    private Mapping bert(JsonNode hf, String p) {
        int layers = req(hf, "num_hidden_layers");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", "encoder-only");
        c.put("layers", layers);
        c.put("d_model", req(hf, "hidden_size"));
        c.put("heads", req(hf, "num_attention_heads"));
        c.put("d_ff", req(hf, "intermediate_size"));
        c.put("vocab_size", req(hf, "vocab_size"));
        c.put("max_positions", req(hf, "max_position_embeddings"));
        c.put("type_vocab_size", hf.path("type_vocab_size").asInt(2));
        c.put("dropout", hf.path("hidden_dropout_prob").asDouble(0.0));
        boolean classifier = false;
        for (JsonNode a : hf.path("architectures")) classifier |= a.asText().equals("BertForSequenceClassification");
        if (classifier) {
            // transformers writes the label count as id2label, not as num_labels
            int labels = hf.path("num_labels").asInt(hf.path("id2label").size());
            if (labels <= 0) throw new IllegalArgumentException("config.json: BertForSequenceClassification without id2label or num_labels");
            c.put("num_labels", labels);
        }
        c.put("norm", comp("layer-norm", "placement", "post", "embedding", true, "final", false, "eps", hf.path("layer_norm_eps").asDouble(1e-12)));
        c.put("attention", comp("multi-head"));
        c.put("positional", comp("learned"));
        c.put("feed_forward", comp("mlp", "activation", activation(hf.path("hidden_act").asText("gelu"))));
        WeightMap w = new WeightMap()
                .same(p + "embeddings.word_embeddings.weight", "embed_tokens.weight")
                .same(p + "embeddings.token_type_embeddings.weight", "embed_types.weight")
                .same(p + "embeddings.position_embeddings.weight", "encoder.embed_positions.weight")
                .same(p + "embeddings.LayerNorm.weight", "encoder.embed_norm.weight")
                .same(p + "embeddings.LayerNorm.bias", "encoder.embed_norm.bias");
        for (int i = 0; i < layers; i++) {
            String h = p + "encoder.layer." + i + ".", o = "encoder.layers." + i + ".";
            for (String[] pair : new String[][] {{"attention.self.query", "self_attn.q_proj"}, {"attention.self.key", "self_attn.k_proj"},
                    {"attention.self.value", "self_attn.v_proj"}, {"attention.output.dense", "self_attn.out_proj"},
                    {"attention.output.LayerNorm", "self_attn_norm"}, {"intermediate.dense", "ffn.fc1"},
                    {"output.dense", "ffn.fc2"}, {"output.LayerNorm", "ffn_norm"}}) {
                w.same(h + pair[0] + ".weight", o + pair[1] + ".weight").same(h + pair[0] + ".bias", o + pair[1] + ".bias");
            }
        }
        if (classifier) {
            // BertForSequenceClassification: the pooler belongs to the classifier head; there is no MLM head.
            w.same(p + "pooler.dense.weight", "classifier.pooler.weight").same(p + "pooler.dense.bias", "classifier.pooler.bias")
                    .same("classifier.weight", "classifier.out.weight").same("classifier.bias", "classifier.out.bias");
        } else {
            w.same(p + "pooler.dense.weight", "pooler.dense.weight").same(p + "pooler.dense.bias", "pooler.dense.bias")
                    .same("cls.predictions.transform.dense.weight", "mlm_head.dense.weight")
                    .same("cls.predictions.transform.dense.bias", "mlm_head.dense.bias")
                    .same("cls.predictions.transform.LayerNorm.weight", "mlm_head.norm.weight")
                    .same("cls.predictions.transform.LayerNorm.bias", "mlm_head.norm.bias")
                    .same("cls.predictions.bias", "mlm_head.bias");
        }
        return new Mapping(c, w);
    }

    private Mapping marian(JsonNode hf) {
        int enc = req(hf, "encoder_layers"), dec = req(hf, "decoder_layers");
        int e = req(hf, "d_model");
        if (req(hf, "encoder_attention_heads") != req(hf, "decoder_attention_heads") || req(hf, "encoder_ffn_dim") != req(hf, "decoder_ffn_dim")) {
            throw new IllegalArgumentException("config.json: encoder and decoder must have the same heads and ffn_dim");
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", "encoder-decoder");
        c.put("encoder_layers", enc);
        c.put("decoder_layers", dec);
        c.put("d_model", e);
        c.put("heads", req(hf, "encoder_attention_heads"));
        c.put("d_ff", req(hf, "encoder_ffn_dim"));
        c.put("vocab_size", req(hf, "vocab_size"));
        c.put("max_positions", req(hf, "max_position_embeddings"));
        c.put("tied_embeddings", true);
        c.put("scale_embedding", hf.path("scale_embedding").asBoolean(false));
        c.put("final_logits_bias", true);
        c.put("dropout", hf.path("dropout").asDouble(0.0));
        c.put("norm", comp("layer-norm", "placement", "post", "final", false, "eps", 1e-5));
        c.put("attention", comp("multi-head"));
        c.put("positional", comp("sinusoidal", "layout", "halves", "base", 10000.0));
        c.put("feed_forward", comp("mlp", "activation", activation(hf.path("activation_function").asText("gelu"))));
        int v = req(hf, "vocab_size");
        WeightMap w = new WeightMap().same("model.shared.weight", "embed_tokens.weight");
        for (String stack : List.of("encoder", "decoder")) {
            int n = stack.equals("encoder") ? enc : dec;
            for (int i = 0; i < n; i++) {
                String h = "model." + stack + ".layers." + i + ".", o = stack + ".layers." + i + ".";
                List<String[]> pairs = new ArrayList<>(List.of(new String[] {"self_attn_layer_norm", "self_attn_norm"},
                        new String[] {"fc1", "ffn.fc1"}, new String[] {"fc2", "ffn.fc2"}, new String[] {"final_layer_norm", "ffn_norm"}));
                for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                    pairs.add(new String[] {"self_attn." + proj, "self_attn." + proj});
                    if (stack.equals("decoder")) pairs.add(new String[] {"encoder_attn." + proj, "cross_attn." + proj});
                }
                if (stack.equals("decoder")) pairs.add(new String[] {"encoder_attn_layer_norm", "cross_attn_norm"});
                for (String[] pair : pairs) {
                    w.same(h + pair[0] + ".weight", o + pair[1] + ".weight").same(h + pair[0] + ".bias", o + pair[1] + ".bias");
                }
            }
        }
        w.reshaped("final_logits_bias", "lm_head.bias", 1, v);
        return new Mapping(c, w);
    }

    /** The tensors of a checkpoint, from one file or the shards an index names. */
    static final class Weights implements AutoCloseable {
        private final Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        private final List<SafetensorsFile> files = new ArrayList<>();

        static Weights open(Path dir) throws IOException {
            Weights w = new Weights();
            Path single = dir.resolve("model.safetensors"), index = dir.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(single)) {
                SafetensorsFile f = Safetensors.open(single);
                w.files.add(f);
                for (String n : f.names()) w.byName.put(n, f);
            } else if (Files.isRegularFile(index)) {
                JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
                if (!map.isObject()) throw new IOException(index + ": no \"weight_map\" object");
                Map<String, SafetensorsFile> shards = new HashMap<>();
                for (var it = map.properties().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    String shard = e.getValue().asText();
                    SafetensorsFile f = shards.get(shard);
                    if (f == null) { f = Safetensors.open(dir.resolve(shard)); shards.put(shard, f); w.files.add(f); }
                    if (!f.names().contains(e.getKey())) throw new IOException(dir.resolve(shard) + ": the index places \"" + e.getKey() + "\" here, but it is absent");
                    w.byName.put(e.getKey(), f);
                }
            } else {
                throw new IOException(dir + ": neither model.safetensors nor model.safetensors.index.json");
            }
            return w;
        }

        boolean has(String name) { return byName.containsKey(name); }

        Set<String> names() { return byName.keySet(); }

        Tensor get(String name) throws IOException { return byName.get(name).tensor(name); }

        @Override public void close() { files.forEach(SafetensorsFile::close); }
    }
}
