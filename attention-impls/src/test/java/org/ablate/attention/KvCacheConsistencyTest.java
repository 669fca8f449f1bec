package org.ablate.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ComponentKind;
import org.ablate.api.KvCache;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.platform.ComponentRegistry;
import org.ablate.api.testing.ConformanceCase;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Incremental decoding through a {@link KvCache} gives the outputs of one full pass, for every attention variant
 * with every positional encoding, with causal and causal + padding masks, token by token and in chunks.
 */
class KvCacheConsistencyTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    static final int B = 2, L = 7, E = 16, H = 4;

    record Variant(String id, Map<String, ?> params, int kvHeads) {}

    static final List<Variant> SELF_VARIANTS = List.of(
            new Variant("scaled-dot-product", Map.of(), H),
            new Variant("multi-head", Map.of(), H),
            new Variant("grouped-query", Map.of("kv_heads", 2), H),
            new Variant("grouped-query", Map.of("kv_heads", 1), H),
            new Variant("grouped-query", Map.of(), 2));

    static PositionalEncoding positional(String id, ParameterScope scope) { return positional(id, H, scope); }

    /** The encoding laid out for {@code heads} heads (the single-head variant rotates and biases one head of width E). */
    static PositionalEncoding positional(String id, int heads, ParameterScope scope) {
        return REGISTRY.positional(id).create(new PositionalSpec(E, heads, E / heads, 32),
                REGISTRY.params(ComponentKind.POSITIONAL_ENCODING, id, Map.of()), scope);
    }

    static Attention attention(Variant v, boolean cross, PositionalEncoding pe, ParameterScope scope) {
        return REGISTRY.attention(v.id()).create(new AttentionSpec(E, H, v.kvHeads(), true, 0.0, cross, pe),
                REGISTRY.params(ComponentKind.ATTENTION, v.id(), v.params()), scope);
    }

    @Test void selfAttentionCachedEqualsUncachedForEveryVariantAndEncoding() {
        Tensor tokens = Tensor.randn(new SplittableRandom(11), 1f, B, L, E);
        // row 1 is left-padded by two positions
        IntTensor padding = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, B, L);
        List<String> encodings = REGISTRY.ids(ComponentKind.POSITIONAL_ENCODING);
        assertEquals(true, encodings.containsAll(List.of("alibi", "learned", "none", "rope", "sinusoidal")), "encodings found: " + encodings);
        for (String pos : encodings) {
            for (Variant v : SELF_VARIANTS) {
                for (IntTensor pad : new IntTensor[] {null, padding}) {
                    ParameterScope scope = ParameterScope.root(5);
                    PositionalEncoding pe = positional(pos, H, scope.child("pos"));
                    Attention attn = attention(v, false, pe, scope.child("attn"));
                    String what = v + " with " + pos + (pad == null ? "" : " and padding");
                    try (var g = Tensor.noGrad()) {
                        Tensor h = pe.embed(tokens, 0);
                        Tensor full = attn.forward(h, h, AttentionMask.causal(pad), null);
                        for (int[] chunks : new int[][] {{1, 1, 1, 1, 1, 1, 1}, {3, 1, 2, 1}}) {
                            KvCache cache = KvCache.create(2); // small, so the buffers grow on the way
                            List<Tensor> steps = new ArrayList<>();
                            int at = 0;
                            for (int n : chunks) {
                                Tensor x = pe.embed(tokens.slice(1, at, at + n), at);
                                IntTensor seen = pad == null ? null : prefix(pad, at + n);
                                steps.add(attn.forward(x, x, AttentionMask.causal(seen), cache));
                                at += n;
                            }
                            assertEquals(L, cache.length(), what);
                            ConformanceCase.assertClose(what + " in chunks " + java.util.Arrays.toString(chunks),
                                    full, Tensor.concat(steps, 1), 1e-5, 1e-4);
                        }
                    }
                }
            }
        }
    }

    /** A model of one head: the encodings are built for one head of the full width. */
    @Test void singleHeadModelCachedEqualsUncached() {
        Tensor tokens = Tensor.randn(new SplittableRandom(15), 1f, B, L, E);
        for (String pos : List.of("rope", "alibi", "sinusoidal")) {
            ParameterScope scope = ParameterScope.root(5);
            PositionalEncoding pe = positional(pos, 1, scope.child("pos"));
            Attention attn = REGISTRY.attention("scaled-dot-product").create(new AttentionSpec(E, 1, 1, true, 0.0, false, pe),
                    REGISTRY.params(ComponentKind.ATTENTION, "scaled-dot-product", Map.of()), scope.child("attn"));
            try (var g = Tensor.noGrad()) {
                Tensor h = pe.embed(tokens, 0);
                Tensor full = attn.forward(h, h, AttentionMask.CAUSAL, null);
                KvCache cache = KvCache.create(3);
                List<Tensor> steps = new ArrayList<>();
                for (int t = 0; t < L; t++) {
                    Tensor x = pe.embed(tokens.slice(1, t, t + 1), t);
                    steps.add(attn.forward(x, x, AttentionMask.CAUSAL, cache));
                }
                ConformanceCase.assertClose("single head with " + pos, full, Tensor.concat(steps, 1), 1e-5, 1e-4);
            }
        }
    }

    @Test void crossAttentionReusesTheMemoryKeysAndValues() {
        Tensor memory = Tensor.randn(new SplittableRandom(12), 1f, B, 5, E);
        Tensor queries = Tensor.randn(new SplittableRandom(13), 1f, B, L, E);
        IntTensor padding = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, B, 5);
        for (Variant v : List.of(new Variant("cross", Map.of(), H), new Variant("cross", Map.of(), 2),
                new Variant("multi-head", Map.of(), H), new Variant("grouped-query", Map.of("kv_heads", 1), H))) {
            Attention attn = attention(v, true, positional("rope", ParameterScope.root(0)), ParameterScope.root(6));
            try (var g = Tensor.noGrad()) {
                Tensor full = attn.forward(queries, memory, AttentionMask.padding(padding), null);
                KvCache cache = KvCache.create();
                List<Tensor> steps = new ArrayList<>();
                for (int t = 0; t < L; t++) {
                    // after the first step the memory argument is ignored: pass garbage to prove it
                    Tensor kv = t == 0 ? memory : Tensor.zeros(B, 5, E);
                    steps.add(attn.forward(queries.slice(1, t, t + 1), kv, AttentionMask.padding(padding), cache));
                    assertEquals(5, cache.length(), "the memory is stored once");
                }
                ConformanceCase.assertClose("cross " + v, full, Tensor.concat(steps, 1), 1e-5, 1e-4);
            }
        }
    }

    @Test void reorderedCacheFollowsItsRows() {
        ParameterScope scope = ParameterScope.root(8);
        PositionalEncoding pe = positional("rope", scope.child("pos"));
        Attention attn = attention(new Variant("multi-head", Map.of(), H), false, pe, scope.child("attn"));
        Tensor tokens = Tensor.randn(new SplittableRandom(14), 1f, B, L, E);
        try (var g = Tensor.noGrad()) {
            KvCache cache = KvCache.create(4);
            Tensor prefix = tokens.slice(1, 0, 4);
            attn.forward(prefix, prefix, AttentionMask.CAUSAL, cache);
            cache.reorder(new int[] {1, 1, 0});
            // the three rows now continue sequences 1, 1, 0
            Tensor next = Tensor.concat(List.of(tokens.slice(0, 1, 2), tokens.slice(0, 1, 2), tokens.slice(0, 0, 1)), 0).slice(1, 4, 5);
            Tensor stepped = attn.forward(next, next, AttentionMask.CAUSAL, cache);
            Tensor full = attn.forward(tokens.slice(1, 0, 5), tokens.slice(1, 0, 5), AttentionMask.CAUSAL, null);
            Tensor expected = Tensor.concat(List.of(full.slice(0, 1, 2), full.slice(0, 1, 2), full.slice(0, 0, 1)), 0).slice(1, 4, 5);
            ConformanceCase.assertClose("reordered", expected, stepped, 1e-5, 1e-4);
        }
    }

    static IntTensor prefix(IntTensor mask, int n) {
        int rows = mask.size(0), cols = mask.size(1);
        int[] out = new int[rows * n];
        for (int r = 0; r < rows; r++) System.arraycopy(mask.data(), r * cols, out, r * n, n);
        return IntTensor.of(out, rows, n);
    }
}
