package org.ablate.models.assembly;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import org.ablate.api.AttentionMask;
import org.ablate.api.Init;
import org.ablate.api.ParameterScope;
import org.ablate.models.config.Architecture;
import org.ablate.models.config.ModelConfig;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * A built transformer: one of the three architectures with its heads. Weights, by dotted name:
 * {@code embed_tokens.weight} [V, E] (shared by encoder, decoder and a tied LM head),
 * {@code embed_types.weight} [T, E] when the config has token types, {@code encoder.*} and
 * {@code decoder.*} stacks (see {@link Stack} and {@link Block}), {@code lm_head.weight} [V, E] when
 * untied, {@code lm_head.bias} [V] with final_logits_bias; encoder-only models add
 * {@code mlm_head.dense.*}, {@code mlm_head.norm.*}, {@code mlm_head.bias} (decoder tied to the
 * embedding), {@code pooler.dense.*} and, with labels, {@code classifier.*}.
 *
 * <p>Dropout is active only after {@link #train(boolean) train(true)}. One thread at a time.
 */
public final class Model {
    private final ModelConfig config;
    private final ParameterScope root;
    private final Tensor embedTokens;
    private final Tensor embedTypes;
    private final Stack encoder;
    private final Stack decoder;
    private final Tensor lmHeadWeight;
    private final Tensor lmHeadBias;
    private final Tensor mlmDenseW, mlmDenseB, mlmBias;
    private final org.ablate.api.Norm mlmNorm;
    private final Tensor poolerW, poolerB, classifierW, classifierB;
    private boolean training;
    private RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(0);

    Model(ModelConfig config, Parts parts, ParameterScope root) {
        this.config = config;
        this.root = root;
        int e = config.dModel(), v = config.vocabSize();
        embedTokens = root.parameter("embed_tokens.weight", Init.normal(0.02), v, e);
        embedTypes = config.typeVocabSize() > 0 ? root.parameter("embed_types.weight", Init.normal(0.02), config.typeVocabSize(), e) : null;
        encoder = config.hasEncoder() ? new Stack(parts, config, root.child("encoder"), config.encoderLayers(), false) : null;
        decoder = config.hasDecoder()
                ? new Stack(parts, config, root.child("decoder"), config.decoderLayers(), config.architecture() == Architecture.ENCODER_DECODER)
                : null;
        if (config.hasDecoder()) {
            lmHeadWeight = config.tiedEmbeddings() ? embedTokens : root.parameter("lm_head.weight", Init.normal(0.02), v, e);
            lmHeadBias = config.finalLogitsBias() ? root.parameter("lm_head.bias", Init.zeros(), v) : null;
            mlmDenseW = mlmDenseB = mlmBias = null;
            mlmNorm = null;
            poolerW = poolerB = classifierW = classifierB = null;
        } else {
            lmHeadWeight = lmHeadBias = null;
            mlmDenseW = root.parameter("mlm_head.dense.weight", Init.normal(0.02), e, e);
            mlmDenseB = root.parameter("mlm_head.dense.bias", Init.zeros(), e);
            mlmNorm = parts.norm(root.child("mlm_head.norm"));
            mlmBias = root.parameter("mlm_head.bias", Init.zeros(), v);
            poolerW = root.parameter("pooler.dense.weight", Init.normal(0.02), e, e);
            poolerB = root.parameter("pooler.dense.bias", Init.zeros(), e);
            classifierW = config.numLabels() > 0 ? root.parameter("classifier.weight", Init.normal(0.02), config.numLabels(), e) : null;
            classifierB = config.numLabels() > 0 ? root.parameter("classifier.bias", Init.zeros(), config.numLabels()) : null;
        }
    }

    public ModelConfig config() { return config; }

    /** Trainable weights by dotted name, in creation order (a tied head appears once, as the embedding). */
    public Map<String, Tensor> parameters() { return root.parameters(); }

    /** Non-trainable tensors (e.g. computed position tables) by dotted name. */
    public Map<String, Tensor> buffers() { return root.buffers(); }

    /** The number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : root.parameters().values()) n += t.numel();
        return n;
    }

    /** Switches dropout on (training) or off (evaluation, generation). */
    public void train(boolean on) { training = on; }

    public boolean training() { return training; }

    /** Seeds the dropout masks. */
    public void seed(long seed) { random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed); }

    /** A cache for step-by-step decoding through the decoder stack. */
    public DecoderCache newCache() {
        requireDecoder("newCache");
        return new DecoderCache(decoder.layers(), config.architecture() == Architecture.ENCODER_DECODER);
    }

    private Tensor embed(IntTensor ids, IntTensor typeIds) {
        Tensor x = Tensor.embedding(embedTokens, ids);
        if (config.scaleEmbedding()) x = x.mul((float) Math.sqrt(config.dModel()));
        if (embedTypes != null) x = x.add(Tensor.embedding(embedTypes, typeIds != null ? typeIds : IntTensor.zeros(ids.shape())));
        return x;
    }

    /**
     * Runs the encoder stack.
     *
     * @param ids     {@code [B, L]} token ids
     * @param typeIds {@code [B, L]} segment ids, or {@code null} for all 0
     * @param padding {@code [B, L]} 1 = token, 0 = padding; or {@code null}
     * @return hidden states {@code [B, L, E]}
     */
    public Tensor encode(IntTensor ids, IntTensor typeIds, IntTensor padding) {
        if (encoder == null) throw new IllegalStateException("encode: a " + config.architecture().id() + " model has no encoder");
        return encoder.forward(embed(ids, typeIds), 0, AttentionMask.padding(padding), null, null, null, null, training, random);
    }

    /**
     * Runs the decoder stack (causal self-attention; cross-attention over {@code memory} in encoder-decoder models).
     *
     * @param ids           {@code [B, L]} new token ids (only the new ones when {@code cache} holds earlier ones)
     * @param padding       {@code [B, cached + L]} key padding over all positions, or {@code null}
     * @param memory        encoder output {@code [B, Ls, E]} (encoder-decoder), else {@code null}
     * @param memoryPadding {@code [B, Ls]} or {@code null}
     * @param cache         {@code null} for a full pass, else extended by this call
     * @return hidden states {@code [B, L, E]}
     */
    public Tensor decode(IntTensor ids, IntTensor padding, Tensor memory, IntTensor memoryPadding, DecoderCache cache) {
        requireDecoder("decode");
        boolean cross = config.architecture() == Architecture.ENCODER_DECODER;
        if (cross && memory == null && (cache == null || cache.cross.get(0).isEmpty())) {
            throw new IllegalArgumentException("decode: an encoder-decoder model needs the encoder memory [B, Ls, E]");
        }
        int offset = cache == null ? 0 : cache.length();
        if (offset + ids.size(1) > config.maxPositions()) {
            throw new IllegalArgumentException("decode: positions up to " + (offset + ids.size(1)) + " exceed max_positions " + config.maxPositions());
        }
        return decoder.forward(embed(ids, null), offset, AttentionMask.causal(padding), memory,
                AttentionMask.padding(memoryPadding), cache == null ? null : cache.self, cache == null ? null : cache.cross,
                training, random);
    }

    /** LM logits {@code [B, L, V]} of decoder hidden states. */
    public Tensor logits(Tensor hidden) {
        requireDecoder("logits");
        return hidden.linear(lmHeadWeight, lmHeadBias);
    }

    /** Decoder-only forward: logits {@code [B, L, V]} for {@code ids} (see {@link #decode}). */
    public Tensor forward(IntTensor ids, IntTensor padding, DecoderCache cache) {
        return logits(decode(ids, padding, null, null, cache));
    }

    /** Masked-LM logits {@code [B, L, V]} of encoder hidden states (BERT's transform, then the tied decoder). */
    public Tensor maskedLmLogits(Tensor hidden) {
        requireEncoderOnly("maskedLmLogits");
        Tensor h = mlmNorm.forward(hidden.linear(mlmDenseW, mlmDenseB).gelu());
        return h.linear(embedTokens, mlmBias);
    }

    /** tanh(dense(hidden[:, 0])): {@code [B, E]}. */
    public Tensor pooled(Tensor hidden) {
        requireEncoderOnly("pooled");
        Tensor first = hidden.slice(1, 0, 1).squeeze(1);
        return first.linear(poolerW, poolerB).tanh();
    }

    /** Sequence-classification logits {@code [B, num_labels]} from the first token's pooled state. */
    public Tensor classify(Tensor hidden) {
        requireEncoderOnly("classify");
        if (classifierW == null) throw new IllegalStateException("classify: the config has num_labels 0, so the model has no classifier");
        return pooled(hidden).dropout((float) config.dropout(), random, training).linear(classifierW, classifierB);
    }

    private void requireDecoder(String op) {
        if (decoder == null) throw new IllegalStateException(op + ": an encoder-only model has no decoder");
    }

    private void requireEncoderOnly(String op) {
        if (config.architecture() != Architecture.ENCODER_ONLY) {
            throw new IllegalStateException(op + ": only encoder-only models have this head, not " + config.architecture().id());
        }
    }

    /** Parameter count per top-level part, for printing. */
    public Map<String, Long> parameterCountByPart() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (var e : root.parameters().entrySet()) {
            String part = e.getKey().substring(0, e.getKey().indexOf('.') < 0 ? e.getKey().length() : e.getKey().indexOf('.'));
            out.merge(part, (long) e.getValue().numel(), Long::sum);
        }
        return Collections.unmodifiableMap(out);
    }
}
