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
 * BERT: a post-norm encoder with an embedding LayerNorm, learned positions and token types. The heads are
 * those the checkpoint holds, never more: {@code BertForSequenceClassification} is a classifier (with its
 * pooler); otherwise the model has an MLM head when {@code cls.predictions.*} is present and a pooler when
 * {@code pooler.dense.*} is. An export names {@code BertForMaskedLM} when the model has an MLM head (the
 * layout of {@code bert-base-uncased}, pooler included if the model has one) and {@code BertModel} when it
 * has only a pooler.
 */
public final class BertFamily implements HfFamily {
    private static final String SEQUENCE_CLASSIFIER = "BertForSequenceClassification";

    @Override public String modelType() { return "bert"; }

    @Override public Architecture architecture() { return Architecture.ENCODER_ONLY; }

    @Override public Mapping read(JsonNode hf, Predicate<String> has) {
        // BertFor* checkpoints prefix the encoder with "bert."; a bare BertModel may not.
        String p = has.test("bert.embeddings.word_embeddings.weight") || !has.test("embeddings.word_embeddings.weight") ? "bert." : "";
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
        for (JsonNode a : hf.path("architectures")) classifier |= a.asText().equals(SEQUENCE_CLASSIFIER);
        boolean mlm = !classifier && has.test("cls.predictions.bias");
        boolean pooler = !classifier && has.test(p + "pooler.dense.weight");
        if (classifier) {
            // transformers writes the label count as id2label, not as num_labels
            int labels = hf.path("num_labels").asInt(hf.path("id2label").size());
            if (labels <= 0) throw new IllegalArgumentException("config.json: BertForSequenceClassification without id2label or num_labels");
            c.put("num_labels", labels);
        } else {
            if (!mlm && !pooler) {
                throw new IllegalArgumentException("config.json: this BERT checkpoint has neither an MLM head (cls.predictions.*) nor a pooler ("
                        + p + "pooler.dense.*); a model needs at least one head");
            }
            Map<String, Object> heads = new LinkedHashMap<>();
            if (mlm) heads.put("mlm_head", comp("masked-lm"));
            if (pooler) heads.put("pooler", comp("pooler"));
            c.put("output_heads", heads);
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
        }
        if (pooler) w.same(p + "pooler.dense.weight", "pooler.dense.weight").same(p + "pooler.dense.bias", "pooler.dense.bias");
        if (mlm) {
            w.same("cls.predictions.transform.dense.weight", "mlm_head.dense.weight")
                    .same("cls.predictions.transform.dense.bias", "mlm_head.dense.bias")
                    .same("cls.predictions.transform.LayerNorm.weight", "mlm_head.norm.weight")
                    .same("cls.predictions.transform.LayerNorm.bias", "mlm_head.norm.bias")
                    .same("cls.predictions.bias", "mlm_head.bias");
        }
        return new Mapping(c, w);
    }

    @Override public Map<String, Object> write(ModelConfig c) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("model_type", "bert");
        String arch = c.numLabels() > 0 ? SEQUENCE_CLASSIFIER : c.headWithId("masked-lm") != null ? "BertForMaskedLM" : "BertModel";
        h.put("architectures", List.of(arch));
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
        h.put("layer_norm_eps", real(c.norm(), "eps", 1e-12));
        h.put("hidden_act", hfActivation(HfConfigs.ffnActivation(c.feedForward())));
        h.put("hidden_dropout_prob", c.dropout());
        h.put("attention_probs_dropout_prob", c.dropout());
        h.put("tie_word_embeddings", true);
        return h;
    }
}
