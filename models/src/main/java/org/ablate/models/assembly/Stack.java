package org.ablate.models.assembly;

import java.util.ArrayList;
import java.util.List;

import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.Block;
import org.ablate.api.BlockInputs;
import org.ablate.api.BlockProvider;
import org.ablate.api.BlockSpec;
import org.ablate.api.KvCache;
import org.ablate.api.FeedForward;
import org.ablate.api.Norm;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PartFactory;
import org.ablate.api.PositionalEncoding;
import org.ablate.models.config.ModelConfig;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * An encoder or decoder stack: positional encoding ({@code embed_positions}), optional embedding norm
 * ({@code embed_norm}), blocks of the configured wiring ({@code layers.i}) and an optional final norm
 * ({@code final_norm}).
 */
public final class Stack {
    private final PositionalEncoding positional;
    private final Norm embedNorm;
    private final List<Block> blocks = new ArrayList<>();
    private final List<List<Attention>> selfAttention = new ArrayList<>();
    private final Norm finalNorm;
    private final double dropout;
    private final String site;

    Stack(Parts parts, ModelConfig config, BlockProvider blockProvider, Params blockParams, ParameterScope scope, int layers, boolean withCross) {
        this.positional = parts.positional(scope.child("embed_positions"));
        this.embedNorm = config.embeddingNorm() ? parts.norm(scope.child("embed_norm")) : null;
        ParameterScope layerScope = scope.child("layers");
        for (int i = 0; i < layers; i++) {
            // each block sees the model's parts through a factory that notes its self-attention, so the stack can
            // read a layer's attention probabilities back without the block wiring exposing its sub-layers
            List<Attention> made = new ArrayList<>();
            BlockSpec spec = new BlockSpec(noting(parts, made), positional, withCross, config.dropout());
            blocks.add(blockProvider.create(spec, blockParams, layerScope.child(Integer.toString(i))));
            selfAttention.add(List.copyOf(made));
        }
        this.finalNorm = config.finalNorm() ? parts.norm(scope.child("final_norm")) : null;
        this.dropout = config.dropout();
        this.site = scope.prefix() + ".embed_dropout";
    }

    /**
     * @param embedded    token (and segment) embeddings {@code [B, L, E]}
     * @param offset      position of the first row (the cached length when decoding step by step)
     * @param selfCaches  one cache per block, or {@code null}
     * @param crossCaches one cache per block for cross-attention, or {@code null}
     * @return hidden states {@code [B, L, E]}
     */
    Tensor forward(Tensor embedded, int offset, AttentionMask selfMask, Tensor memory, AttentionMask memoryMask,
                   List<KvCache> selfCaches, List<KvCache> crossCaches) {
        Tensor x = positional.embed(embedded, offset);
        if (embedNorm != null) x = embedNorm.forward(x);
        x = Dropout.apply(x, dropout, site);
        // Without a graph and without caches, nothing reads a block's temporaries once its output exists: inside a
        // workspace step (evaluation, the encode benchmark) they go back to the pool for the next block to reuse.
        boolean release = !Tensor.gradEnabled() && selfCaches == null && crossCaches == null;
        for (int i = 0; i < blocks.size(); i++) {
            int mark = release ? Workspace.mark() : -1;
            x = blocks.get(i).forward(x, new BlockInputs(selfMask, memory, memoryMask,
                    selfCaches == null ? null : selfCaches.get(i), crossCaches == null ? null : crossCaches.get(i)));
            Workspace.releaseSince(mark, x);
        }
        return finalNorm == null ? x : finalNorm.forward(x);
    }

    public int layers() { return blocks.size(); }

    /** The self-attention layers block {@code layer} made (one for every shipped wiring), in the order it made them. */
    List<Attention> selfAttention(int layer) { return selfAttention.get(layer); }

    private static PartFactory noting(Parts parts, List<Attention> selfAttention) {
        return new PartFactory() {
            @Override public int dModel() { return parts.dModel(); }

            @Override public Norm norm(ParameterScope scope) { return parts.norm(scope); }

            @Override public Attention attention(ParameterScope scope, boolean cross, PositionalEncoding pe) {
                Attention a = parts.attention(scope, cross, pe);
                if (!cross) selfAttention.add(a);
                return a;
            }

            @Override public FeedForward feedForward(ParameterScope scope) { return parts.feedForward(scope); }
        };
    }
}
