package org.ablate.models.assembly;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.BlockProvider;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.HeadProvider;
import org.ablate.api.HeadSpec;
import org.ablate.api.Network;
import org.ablate.api.Params;
import org.ablate.api.Init;
import org.ablate.api.ParameterScope;
import org.ablate.models.config.Architecture;
import org.ablate.models.config.ModelConfig;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * A built transformer: a backbone (token embeddings and the encoder and/or decoder stack) plus named
 * heads. Weights, by dotted name: {@code embed_tokens.weight} [V, E] (shared by encoder, decoder and tied
 * heads), {@code embed_types.weight} [T, E] when the config has token types, {@code encoder.*} and
 * {@code decoder.*} stacks (see {@link Stack}), and each head's weights under its name (e.g.
 * {@code lm_head.weight} when untied, {@code mlm_head.dense.weight}, {@code classifier.out.weight}).
 *
 * <p>Dropout is active only inside the training switch ({@link org.ablate.tensor.Dropout#training}). One thread at a time.
 */
public final class Model implements Network {
    private final ModelConfig config;
    private final ParameterScope root;
    private final Tensor embedTokens;
    private final Tensor embedTypes;
    private final Stack encoder;
    private final Stack decoder;
    private final Map<String, Head> heads = new LinkedHashMap<>();

    Model(ModelConfig config, Parts parts, BlockProvider block, Params blockParams, Map<String, HeadProvider> headProviders,
          ParameterScope root) {
        this.config = config;
        this.root = root;
        int e = config.dModel(), v = config.vocabSize();
        embedTokens = root.parameter("embed_tokens.weight", Init.normal(0.02), v, e);
        embedTypes = config.typeVocabSize() > 0 ? root.parameter("embed_types.weight", Init.normal(0.02), config.typeVocabSize(), e) : null;
        encoder = config.hasEncoder() ? new Stack(parts, config, block, blockParams, root.child("encoder"), config.encoderLayers(), false) : null;
        decoder = config.hasDecoder()
                ? new Stack(parts, config, block, blockParams, root.child("decoder"), config.decoderLayers(),
                        config.architecture() == Architecture.ENCODER_DECODER)
                : null;
        HeadSpec headSpec = new HeadSpec(e, v, embedTokens, parts, config.dropout());
        for (var h : headProviders.entrySet()) {
            heads.put(h.getKey(), h.getValue().create(headSpec, config.outputHeads().get(h.getKey()).params(), root.child(h.getKey())));
        }
    }

    public ModelConfig config() { return config; }

    @Override public boolean hasEncoder() { return config.hasEncoder(); }

    @Override public boolean hasDecoder() { return config.hasDecoder(); }

    @Override public int vocabSize() { return config.vocabSize(); }

    @Override public Head head(String name) {
        Head h = heads.get(name);
        if (h == null) {
            String hint = org.ablate.platform.Suggest.closest(name, heads.keySet()).map(s -> "; did you mean \"" + s + "\"?").orElse("");
            throw new IllegalArgumentException("the model has no head \"" + name + "\"; its heads: " + String.join(", ", heads.keySet()) + hint);
        }
        return h;
    }

    @Override public Set<String> heads() { return Collections.unmodifiableSet(heads.keySet()); }

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

    /** A cache for step-by-step decoding through the decoder stack. */
    public DecoderCache newCache() {
        return newCache(64);
    }

    /**
     * A cache whose buffers hold {@code positions} positions before they first grow: a generation that knows its
     * length (prompt and new tokens) allocates them once instead of doubling them from 64.
     */
    public DecoderCache newCache(int positions) {
        requireDecoder("newCache");
        return new DecoderCache(decoder.layers(), config.architecture() == Architecture.ENCODER_DECODER, positions);
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
    @Override public Tensor encode(IntTensor ids, IntTensor typeIds, IntTensor padding) {
        if (encoder == null) throw new IllegalStateException("encode: a " + config.architecture().id() + " model has no encoder");
        if (ids.size(1) > config.maxPositions()) {
            throw new IllegalArgumentException("encode: " + ids.size(1) + " positions exceed max_positions " + config.maxPositions()
                    + "; truncate or refuse longer inputs before the model");
        }
        return encoder.forward(embed(ids, typeIds), 0, AttentionMask.padding(padding), null, null, null, null);
    }

    @Override public Tensor decode(IntTensor ids, IntTensor padding, Tensor memory, IntTensor memoryPadding) {
        return decode(ids, padding, memory, memoryPadding, null);
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
                AttentionMask.padding(memoryPadding), cache == null ? null : cache.self, cache == null ? null : cache.cross);
    }

    /** The head generation reads: the first head giving vocabulary logits (by default {@code lm_head}). */
    public Head lmHead() {
        for (Head h : heads.values()) if (h.output() == HeadOutput.TOKEN_LOGITS) return h;
        throw new IllegalStateException("the model has no head giving vocabulary logits; its heads: " + String.join(", ", heads.keySet()));
    }

    /** LM logits {@code [B, L, V]} of decoder hidden states. */
    public Tensor logits(Tensor hidden) {
        requireDecoder("logits");
        return lmHead().forward(hidden, null);
    }

    /** Decoder-only forward: logits {@code [B, L, V]} for {@code ids} (see {@link #decode}). */
    public Tensor forward(IntTensor ids, IntTensor padding, DecoderCache cache) {
        return logits(decode(ids, padding, null, null, cache));
    }

    /** Masked-LM logits {@code [B, L, V]} of encoder hidden states, from the {@code mlm_head} head. */
    public Tensor maskedLmLogits(Tensor hidden) { return head("mlm_head").forward(hidden, null); }

    /** BERT's pooled output {@code [B, E]}, from the {@code pooler} head. */
    public Tensor pooled(Tensor hidden) { return head("pooler").forward(hidden, null); }

    /** Sequence-classification logits {@code [B, labels]}, from the {@code classifier} head. */
    public Tensor classify(Tensor hidden) { return head("classifier").forward(hidden, null); }

    /**
     * The self-attention probabilities of one full pass over {@code ids} (a batch of one, no cache), per layer a
     * {@code [H, L, L]} tensor: rows are queries, columns keys, each row a softmax with the causal mask and any
     * positional score bias (ALiBi) applied. The decoder's self-attention in a decoder-only model; the encoder's
     * (bidirectional) in an encoder-only or encoder-decoder model, where the prompt is the source.
     *
     * @throws UnsupportedOperationException naming the layer whose attention does not capture its probabilities
     */
    public List<Tensor> attentionProbabilities(int[] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("attention: no tokens");
        boolean useEncoder = encoder != null;
        Stack stack = useEncoder ? encoder : decoder;
        List<Attention> attns = new ArrayList<>();
        for (int i = 0; i < stack.layers(); i++) {
            List<Attention> layer = stack.selfAttention(i);
            if (layer.size() != 1) {
                throw new UnsupportedOperationException("attention: block " + i + " made " + layer.size() + " self-attention layers; one is needed to show its map");
            }
            attns.add(layer.get(0));
        }
        IntTensor input = IntTensor.of(ids.clone(), 1, ids.length);
        attns.forEach(a -> a.captureProbabilities(true));
        // the captured probabilities are made inside the blocks and read after them: never from a workspace
        try (NoGrad g = Tensor.noGrad(); Workspace.Step heap = Workspace.suspend()) {
            if (useEncoder) encode(input, null, null);
            else decode(input, null, null, null, null);
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < attns.size(); i++) {
                Tensor p = attns.get(i).capturedProbabilities();
                if (p == null) {
                    throw new UnsupportedOperationException("attention: layer " + i + "'s attention (" + attns.get(i)
                            + ") does not capture its probabilities");
                }
                out.add(p.reshape(p.size(1), p.size(2), p.size(3)));
            }
            return List.copyOf(out);
        } finally {
            attns.forEach(a -> a.captureProbabilities(false));
        }
    }

    private void requireDecoder(String op) {
        if (decoder == null) throw new IllegalStateException(op + ": an encoder-only model has no decoder");
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
