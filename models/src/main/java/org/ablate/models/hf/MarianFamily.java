package org.ablate.models.hf;

import static org.ablate.models.hf.HfConfigs.activation;
import static org.ablate.models.hf.HfConfigs.comp;
import static org.ablate.models.hf.HfConfigs.hfActivation;
import static org.ablate.models.hf.HfConfigs.req;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.ablate.models.config.Architecture;
import org.ablate.models.config.ModelConfig;

/**
 * Marian ({@code MarianMTModel}): a post-norm encoder-decoder with sinusoidal positions (sin and cos in
 * halves), embeddings shared by encoder, decoder and LM head, and {@code final_logits_bias}.
 */
public final class MarianFamily implements HfFamily {
    @Override public String modelType() { return "marian"; }

    @Override public Architecture architecture() { return Architecture.ENCODER_DECODER; }

    @Override public Mapping read(JsonNode hf, Predicate<String> has) {
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

    @Override public Map<String, Object> write(ModelConfig c) {
        Map<String, Object> h = new LinkedHashMap<>();
        String act = HfConfigs.ffnActivation(c.feedForward());
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
        h.put("activation_function", "silu".equals(act) ? "swish" : hfActivation(act));
        h.put("share_encoder_decoder_embeddings", true);
        h.put("tie_word_embeddings", true);
        h.put("is_encoder_decoder", true);
        h.put("dropout", c.dropout());
        return h;
    }
}
