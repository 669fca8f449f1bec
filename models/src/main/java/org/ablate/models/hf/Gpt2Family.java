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
 * GPT-2 ({@code GPT2LMHeadModel}): learned positions, pre-norm LayerNorm blocks with biases, an MLP, a final
 * norm and an LM head tied to the token embeddings; attention and MLP weights in Conv1D layout
 * ({@code [in, out]}), q, k and v fused in {@code c_attn}.
 */
public final class Gpt2Family implements HfFamily {
    @Override public String modelType() { return "gpt2"; }

    @Override public Architecture architecture() { return Architecture.DECODER_ONLY; }

    @Override public Mapping read(JsonNode hf, Predicate<String> has) {
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

    @Override public Map<String, Object> write(ModelConfig c) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("model_type", "gpt2");
        h.put("architectures", List.of("GPT2LMHeadModel"));
        h.put("n_embd", c.dModel());
        h.put("n_layer", c.decoderLayers());
        h.put("n_head", c.heads());
        h.put("n_inner", c.dFf());
        h.put("vocab_size", c.vocabSize());
        h.put("n_positions", c.maxPositions());
        h.put("layer_norm_epsilon", real(c.norm(), "eps", 1e-5));
        h.put("activation_function", hfActivation(HfConfigs.ffnActivation(c.feedForward())));
        h.put("tie_word_embeddings", true);
        h.put("resid_pdrop", c.dropout());
        h.put("embd_pdrop", c.dropout());
        h.put("attn_pdrop", c.dropout());
        return h;
    }
}
