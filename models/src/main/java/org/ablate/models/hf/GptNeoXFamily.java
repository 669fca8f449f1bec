package org.ablate.models.hf;

import static org.ablate.models.hf.HfConfigs.activation;
import static org.ablate.models.hf.HfConfigs.comp;
import static org.ablate.models.hf.HfConfigs.hfActivation;
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
 * GPT-NeoX ({@code GPTNeoXForCausalLM}, the Pythia models): pre-norm LayerNorm blocks with biases, RoPE
 * (rotate-half layout, as LLaMA), an MLP, a final norm and a tied or separate LM head. Only the sequential
 * block ({@code use_parallel_residual: false}) and rotary embeddings over the whole head
 * ({@code rotary_pct} 1) are held. q, k and v are fused in {@code query_key_value}, head by head.
 */
public final class GptNeoXFamily implements HfFamily {
    @Override public String modelType() { return "gpt_neox"; }

    @Override public Architecture architecture() { return Architecture.DECODER_ONLY; }

    @Override public Mapping read(JsonNode hf, Predicate<String> has) {
        int layers = req(hf, "num_hidden_layers"), heads = req(hf, "num_attention_heads");
        JsonNode rope = hf.path("rope_parameters");
        // transformers 5 writes rope_parameters; earlier versions rotary_pct and rotary_emb_base
        double fraction = rope.path("partial_rotary_factor").asDouble(hf.path("rotary_pct").asDouble(0.25));
        double theta = rope.path("rope_theta").asDouble(hf.path("rotary_emb_base").asDouble(10000.0));
        String ropeType = rope.path("rope_type").asText("default");
        if (!ropeType.equals("default")) throw new IllegalArgumentException("config.json: rope_parameters.rope_type \"" + ropeType + "\" is not supported; expected default");
        if (fraction != 1.0) {
            throw new IllegalArgumentException("config.json: rotary_pct (partial_rotary_factor) is " + fraction + "; only 1.0 (RoPE on the whole head) is supported");
        }
        if (hf.path("use_parallel_residual").asBoolean(true)) {
            throw new IllegalArgumentException("config.json: use_parallel_residual is true (or absent, which means true); only the sequential block (false) is supported");
        }
        if (!hf.path("attention_bias").asBoolean(true)) {
            throw new IllegalArgumentException("config.json: attention_bias is false while GPT-NeoX's MLP has biases; only true is supported");
        }
        boolean tied = hf.path("tie_word_embeddings").asBoolean(false);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", "decoder-only");
        c.put("layers", layers);
        c.put("d_model", req(hf, "hidden_size"));
        c.put("heads", heads);
        c.put("d_ff", req(hf, "intermediate_size"));
        c.put("vocab_size", req(hf, "vocab_size"));
        c.put("max_positions", req(hf, "max_position_embeddings"));
        c.put("tied_embeddings", tied);
        c.put("bias", true);
        c.put("dropout", hf.path("hidden_dropout").asDouble(0.0));
        c.put("norm", comp("layer-norm", "placement", "pre", "eps", hf.path("layer_norm_eps").asDouble(1e-5)));
        c.put("attention", comp("multi-head"));
        c.put("positional", comp("rope", "theta", theta));
        c.put("feed_forward", comp("mlp", "activation", activation(hf.path("hidden_act").asText("gelu"))));
        WeightMap w = new WeightMap().same("gpt_neox.embed_in.weight", "embed_tokens.weight");
        for (int i = 0; i < layers; i++) {
            String h = "gpt_neox.layers." + i + ".", o = "decoder.layers." + i + ".";
            w.same(h + "input_layernorm.weight", o + "self_attn_norm.weight").same(h + "input_layernorm.bias", o + "self_attn_norm.bias");
            for (String part : List.of("weight", "bias")) {
                w.interleaved(h + "attention.query_key_value." + part, heads,
                        o + "self_attn.q_proj." + part, o + "self_attn.k_proj." + part, o + "self_attn.v_proj." + part);
            }
            w.same(h + "attention.dense.weight", o + "self_attn.out_proj.weight").same(h + "attention.dense.bias", o + "self_attn.out_proj.bias")
                    .same(h + "post_attention_layernorm.weight", o + "ffn_norm.weight").same(h + "post_attention_layernorm.bias", o + "ffn_norm.bias")
                    .same(h + "mlp.dense_h_to_4h.weight", o + "ffn.fc1.weight").same(h + "mlp.dense_h_to_4h.bias", o + "ffn.fc1.bias")
                    .same(h + "mlp.dense_4h_to_h.weight", o + "ffn.fc2.weight").same(h + "mlp.dense_4h_to_h.bias", o + "ffn.fc2.bias");
        }
        w.same("gpt_neox.final_layer_norm.weight", "decoder.final_norm.weight").same("gpt_neox.final_layer_norm.bias", "decoder.final_norm.bias");
        if (!tied) w.same("embed_out.weight", "lm_head.weight");
        return new Mapping(c, w);
    }

    @Override public Map<String, Object> write(ModelConfig c) {
        double theta = real(c.positional(), "theta", 10000.0);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("model_type", "gpt_neox");
        h.put("architectures", List.of("GPTNeoXForCausalLM"));
        h.put("hidden_size", c.dModel());
        h.put("num_hidden_layers", c.decoderLayers());
        h.put("num_attention_heads", c.heads());
        h.put("intermediate_size", c.dFf());
        h.put("vocab_size", c.vocabSize());
        h.put("max_position_embeddings", c.maxPositions());
        h.put("layer_norm_eps", real(c.norm(), "eps", 1e-5));
        h.put("hidden_act", hfActivation(HfConfigs.ffnActivation(c.feedForward())));
        // both spellings, for transformers 4 (rotary_*) and 5 (rope_parameters)
        h.put("rotary_pct", 1.0);
        h.put("rotary_emb_base", theta);
        h.put("rope_parameters", Map.of("rope_type", "default", "rope_theta", theta, "partial_rotary_factor", 1.0));
        h.put("use_parallel_residual", false);
        h.put("attention_bias", true);
        h.put("tie_word_embeddings", c.tiedEmbeddings());
        h.put("hidden_dropout", c.dropout());
        h.put("attention_dropout", 0.0);
        return h;
    }
}
