package org.ablate.models.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated model config: the architecture, its sizes and one chosen provider per part. Build it
 * with {@link ConfigLoader}; every field has been checked (and every provider id resolved) before any
 * weight exists.
 *
 * @param source          the file it was read from, for messages
 * @param architecture    encoder-only, decoder-only or encoder-decoder
 * @param encoderLayers   blocks in the encoder stack (0 for decoder-only)
 * @param decoderLayers   blocks in the decoder stack (0 for encoder-only)
 * @param dModel          model width {@code E}
 * @param heads           query heads; divides {@code dModel}
 * @param kvHeads         key/value heads; divides {@code heads}
 * @param dFf             feed-forward hidden width
 * @param vocabSize       token embedding rows and LM head outputs
 * @param maxPositions    longest sequence
 * @param dropout         residual and embedding dropout during training, in [0, 1)
 * @param bias            whether attention and feed-forward projections have biases
 * @param block           the block wiring provider (pre-norm, post-norm, sandwich, parallel, ...)
 * @param finalNorm       a norm after the last block of each stack
 * @param embeddingNorm   a norm on the embeddings before the first block (BERT)
 * @param norm            the norm provider (final/embedding are not its parameters)
 * @param attention       the attention provider, used for self- and cross-attention
 * @param positional      the positional encoding provider
 * @param feedForward     the feed-forward provider
 * @param tokenizer       the tokenizer provider, or {@code null} when the config names none
 * @param sampler         the default sampler chain for generation; may be empty
 * @param typeVocabSize   segment (token type) embedding rows, 0 for none (BERT uses 2)
 * @param scaleEmbedding  multiply token embeddings by √d_model (Marian, the original Transformer)
 * @param outputHeads     the model's heads by name (e.g. {@code lm_head}), each a head provider and its parameters
 */
public record ModelConfig(String source, Architecture architecture, int encoderLayers, int decoderLayers,
                          int dModel, int heads, int kvHeads, int dFf, int vocabSize, int maxPositions,
                          double dropout, boolean bias,
                          Component block, boolean finalNorm, boolean embeddingNorm,
                          Component norm, Component attention, Component positional, Component feedForward,
                          Component tokenizer, List<Component> sampler,
                          int typeVocabSize, boolean scaleEmbedding, Map<String, Component> outputHeads) {

    public ModelConfig {
        sampler = List.copyOf(sampler);
        outputHeads = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputHeads));
    }

    /** Whether the {@code lm} head (if any) reuses the token embedding matrix. */
    public boolean tiedEmbeddings() {
        Component lm = headWithId("lm");
        return lm == null || lm.params().getBoolean("tied");
    }

    /** Whether the {@code lm} head has a bias over the vocabulary (Marian's final_logits_bias). */
    public boolean finalLogitsBias() {
        Component lm = headWithId("lm");
        return lm != null && lm.params().getBoolean("bias");
    }

    /** Classes of the {@code classifier} head, 0 when the model has none. */
    public int numLabels() {
        Component c = headWithId("classifier");
        return c == null ? 0 : c.params().getInt("labels");
    }

    /** The first head whose provider is {@code id}, or {@code null}. */
    public Component headWithId(String id) {
        for (Component c : outputHeads.values()) if (c.id().equals(id)) return c;
        return null;
    }

    /** The parameter count this config builds, from its sizes alone (before any weight is allocated). */
    public long estimatedParameters() {
        long e = dModel, layers = (long) encoderLayers + decoderLayers;
        long kvWidth = (long) kvHeads * headDim();
        long attention = e * e * 2 + 2 * e * kvWidth;
        long perLayer = attention + 3L * e * dFf + 8 * e;
        long cross = architecture == Architecture.ENCODER_DECODER ? (long) decoderLayers * attention : 0;
        long untied = tiedEmbeddings() ? 0 : (long) vocabSize * e;
        return (long) vocabSize * e + untied + (long) maxPositions * e + layers * perLayer + cross;
    }

    public int headDim() { return dModel / heads; }

    /** This config with another vocabulary size (a trained tokenizer's); nothing else changes. */
    public ModelConfig withVocabSize(int size) {
        if (size < 1) throw new IllegalArgumentException(source + ": vocab_size must be ≥ 1, got " + size);
        return new ModelConfig(source, architecture, encoderLayers, decoderLayers, dModel, heads, kvHeads, dFf, size, maxPositions,
                dropout, bias, block, finalNorm, embeddingNorm, norm, attention, positional, feedForward, tokenizer, sampler,
                typeVocabSize, scaleEmbedding, outputHeads);
    }

    /** This config naming {@code tokenizer} (as a run's tokenizer section gives it), or none. */
    public ModelConfig withTokenizer(Component tokenizer) {
        return new ModelConfig(source, architecture, encoderLayers, decoderLayers, dModel, heads, kvHeads, dFf, vocabSize, maxPositions,
                dropout, bias, block, finalNorm, embeddingNorm, norm, attention, positional, feedForward, tokenizer, sampler,
                typeVocabSize, scaleEmbedding, outputHeads);
    }

    public boolean hasEncoder() { return architecture != Architecture.DECODER_ONLY; }

    public boolean hasDecoder() { return architecture != Architecture.ENCODER_ONLY; }

    /** The config as plain maps and lists, in the file format {@link ConfigLoader} reads back into an equal config. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", architecture.id());
        if (architecture == Architecture.ENCODER_DECODER) {
            m.put("encoder_layers", encoderLayers);
            m.put("decoder_layers", decoderLayers);
        } else {
            m.put("layers", Math.max(encoderLayers, decoderLayers));
        }
        m.put("d_model", dModel);
        m.put("heads", heads);
        m.put("kv_heads", kvHeads);
        m.put("d_ff", dFf);
        m.put("vocab_size", vocabSize);
        m.put("max_positions", maxPositions);
        m.put("dropout", dropout);
        m.put("bias", bias);
        m.put("block", componentMap(block));
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("id", norm.id());
        n.put("final", finalNorm);
        n.put("embedding", embeddingNorm);
        n.putAll(norm.params().values());
        m.put("norm", n);
        m.put("attention", componentMap(attention));
        m.put("positional", componentMap(positional));
        m.put("feed_forward", componentMap(feedForward));
        if (tokenizer != null) m.put("tokenizer", componentMap(tokenizer));
        if (!sampler.isEmpty()) {
            List<Object> chain = new ArrayList<>();
            for (Component c : sampler) chain.add(componentMap(c));
            m.put("sampler", chain);
        }
        m.put("type_vocab_size", typeVocabSize);
        m.put("scale_embedding", scaleEmbedding);
        Map<String, Object> out = new LinkedHashMap<>();
        outputHeads.forEach((name, c) -> out.put(name, componentMap(c)));
        m.put("output_heads", out);
        return m;
    }

    private static Map<String, Object> componentMap(Component c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.putAll(c.params().values());
        return m;
    }
}
