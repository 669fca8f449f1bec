package org.ablate.models.hf;

import static org.ablate.models.hf.HfConfigs.comp;
import static org.ablate.models.hf.HfConfigs.real;
import static org.ablate.models.hf.HfConfigs.req;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.ablate.models.config.Architecture;
import org.ablate.models.config.ModelConfig;

/**
 * LLaMA ({@code LlamaForCausalLM}): RMS norm, RoPE (rotate-half layout), grouped-query attention, SwiGLU,
 * biases on or off together, a tied or separate LM head.
 */
public final class LlamaFamily implements HfFamily {
    @Override public String modelType() { return "llama"; }

    @Override public Architecture architecture() { return Architecture.DECODER_ONLY; }

    @Override public Mapping read(JsonNode hf, Predicate<String> has) {
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

    @Override public Map<String, Object> write(ModelConfig c) {
        Map<String, Object> h = new LinkedHashMap<>();
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
        h.put("rms_norm_eps", real(c.norm(), "eps", 1e-6));
        h.put("rope_parameters", Map.of("rope_theta", real(c.positional(), "theta", 10000.0), "rope_type", "default"));
        h.put("hidden_act", "silu");
        h.put("tie_word_embeddings", c.tiedEmbeddings());
        h.put("attention_bias", c.bias());
        h.put("mlp_bias", c.bias());
        h.put("attention_dropout", 0.0);
        return h;
    }
}
