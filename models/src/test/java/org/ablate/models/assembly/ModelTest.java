package org.ablate.models.assembly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import org.ablate.platform.ComponentRegistry;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

class ModelTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    static ModelConfig config(String architecture, String positional, String extra) {
        String layers = architecture.equals("encoder-decoder") ? "encoder_layers: 2\ndecoder_layers: 2\n" : "layers: 2\n";
        String yaml = "architecture: " + architecture + "\n" + layers + """
                d_model: 16
                heads: 4
                kv_heads: 2
                d_ff: 32
                vocab_size: 23
                max_positions: 32
                norm: {id: layer-norm, placement: pre}
                attention: {id: grouped-query}
                feed_forward: {id: mlp, activation: gelu}
                """ + "positional: {id: " + positional + "}\n" + extra;
        return new ConfigLoader(REGISTRY).parse("tiny.yaml", yaml, true);
    }

    static Model build(ModelConfig c) { return new ModelBuilder(REGISTRY).build(c, 7, null); }

    static IntTensor ids(int b, int l, int vocab, int salt) {
        int[] d = new int[b * l];
        for (int i = 0; i < d.length; i++) d[i] = (i * 7 + salt * 3 + 1) % vocab;
        return IntTensor.of(d, b, l);
    }

    static void assertClose(Tensor expected, Tensor actual, float tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol, "element " + i + ": expected " + e[i] + ", got " + a[i]);
        }
    }

    @Test void decoderOnlyNamesCountAndShapes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Model m = new ModelBuilder(REGISTRY).build(config("decoder-only", "rope", ""), 1, new PrintStream(out, true, StandardCharsets.UTF_8));
        var names = m.parameters().keySet();
        assertTrue(names.contains("embed_tokens.weight"));
        assertTrue(names.contains("decoder.layers.0.self_attn.q_proj.weight"));
        assertTrue(names.contains("decoder.layers.1.ffn.fc2.bias"));
        assertTrue(names.contains("decoder.layers.1.ffn_norm.weight"));
        assertTrue(names.contains("decoder.final_norm.weight"));
        assertFalse(names.contains("lm_head.weight"), "tied head reuses the embedding");
        long count = 0;
        for (Tensor t : m.parameters().values()) count += t.numel();
        assertEquals(count, m.parameterCount());
        // GQA: k_proj holds kv_heads · head_dim rows
        assertArrayEquals(new int[] {8, 16}, m.parameters().get("decoder.layers.0.self_attn.k_proj.weight").shape());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains(String.format(java.util.Locale.ROOT, "%,d parameters", count)), printed);
        Tensor logits = m.forward(ids(2, 5, 23, 0), null, null);
        assertArrayEquals(new int[] {2, 5, 23}, logits.shape());
    }

    @Test void untiedHeadHasItsOwnWeight() {
        Model m = build(config("decoder-only", "rope", "tied_embeddings: false\n"));
        assertNotNull(m.parameters().get("lm_head.weight"));
        Model tied = build(config("decoder-only", "rope", ""));
        assertEquals(m.parameterCount() - 23 * 16, tied.parameterCount());
    }

    @Test void sameSeedSameWeights() {
        Model a = build(config("decoder-only", "learned", "")), b = build(config("decoder-only", "learned", ""));
        for (var e : a.parameters().entrySet()) assertArrayEquals(e.getValue().toArray(), b.parameters().get(e.getKey()).toArray(), e.getKey());
    }

    /** Token-by-token decoding through the KV cache must equal one full causal pass, for every positional variant. */
    @ParameterizedTest @ValueSource(strings = {"rope", "sinusoidal", "learned", "alibi", "none"})
    void cachedDecodingMatchesFullPass(String positional) {
        Model m = build(config("decoder-only", positional, ""));
        IntTensor x = ids(2, 6, 23, 1);
        try (var g = Tensor.noGrad()) {
            Tensor full = m.forward(x, null, null);
            DecoderCache cache = m.newCache();
            List<Tensor> steps = new ArrayList<>();
            Tensor first = m.forward(IntTensor.of(slice(x, 0, 2), 2, 2), null, cache);
            steps.add(first);
            for (int t = 2; t < 6; t++) steps.add(m.forward(IntTensor.of(slice(x, t, t + 1), 2, 1), null, cache));
            assertClose(full, Tensor.concat(steps, 1), 1e-5f);
        }
    }

    static int[] slice(IntTensor x, int from, int to) {
        int b = x.size(0), l = x.size(1);
        int[] out = new int[b * (to - from)];
        for (int i = 0; i < b; i++) for (int t = from; t < to; t++) out[i * (to - from) + t - from] = x.data()[i * l + t];
        return out;
    }

    @Test void causalityFutureTokensDoNotChangeThePast() {
        Model m = build(config("decoder-only", "rope", ""));
        IntTensor a = ids(1, 6, 23, 2);
        int[] bData = a.data().clone();
        bData[5] = (bData[5] + 1) % 23;
        Tensor la = m.forward(a, null, null), lb = m.forward(IntTensor.of(bData, 1, 6), null, null);
        // Bit for bit: lane sums add in one fixed order, compiled or not (kernels.LaneSum).
        assertClose(la.slice(1, 0, 5), lb.slice(1, 0, 5), 0f);
    }

    @Test void everyParameterGetsAGradient() {
        Model m = build(config("decoder-only", "learned", "tied_embeddings: false\n"));
        IntTensor x = ids(2, 5, 23, 3);
        Tensor logits = m.forward(x, null, null);
        Tensor loss = Tensor.crossEntropy(logits.reshape(10, 23), IntTensor.of(ids(1, 10, 23, 4).data(), 10), -100, 0f);
        loss.backward();
        for (var e : m.parameters().entrySet()) {
            assertNotNull(e.getValue().grad(), e.getKey() + " has no gradient");
        }
    }

    /**
     * Encoding without a graph inside a workspace step hands each block's temporaries to the next block (the test JVM
     * poisons returned arrays with NaN, so one still read would show), and gives the bits of encoding outside one.
     */
    @Test void blocksRunWithoutAGraphReuseOneAnothersArrays() {
        IntTensor x = ids(4, 30, 23, 9);
        long[] allocated = new long[2];
        for (int layers : new int[] {1, 6}) {
            ModelConfig c = new ConfigLoader(REGISTRY).parse("deep.yaml", """
                    architecture: encoder-only
                    layers: %d
                    d_model: 32
                    heads: 4
                    d_ff: 128
                    vocab_size: 23
                    max_positions: 32
                    positional: {id: learned}
                    norm: {id: layer-norm, placement: post}
                    attention: {id: multi-head}
                    feed_forward: {id: mlp, activation: gelu}
                    """.formatted(layers), true);
            Model m = build(c);
            org.ablate.tensor.Workspace arrays = new org.ablate.tensor.Workspace();
            try (var g = Tensor.noGrad()) {
                float[] outside = m.encode(x, null, null).toArray();
                float[] inside;
                try (var step = arrays.open()) {
                    inside = m.encode(x, null, null).toArray();
                }
                assertArrayEquals(outside, inside, layers + " layers");
            }
            allocated[layers == 1 ? 0 : 1] = arrays.allocatedBytes();
        }
        // six blocks take what one block took, plus their outputs; without the hand-over they would take six times that
        assertTrue(allocated[1] < 2 * allocated[0], "1 layer: " + allocated[0] + " bytes, 6 layers: " + allocated[1]);
    }

    @Test void encoderOnlyHeads() {
        Model m = build(config("encoder-only", "learned", "type_vocab_size: 2\n"
                + "output_heads: {mlm_head: {id: masked-lm}, classifier: {id: classifier, labels: 3}, reward: {id: scalar}, value: {id: scalar, at: every}}\n"));
        IntTensor x = ids(2, 5, 23, 5);
        IntTensor mask = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);
        Tensor h = m.encode(x, IntTensor.zeros(2, 5), mask);
        assertArrayEquals(new int[] {2, 5, 16}, h.shape());
        assertArrayEquals(new int[] {2, 5, 23}, m.maskedLmLogits(h).shape());
        assertArrayEquals(new int[] {2, 3}, m.classify(h).shape());
        assertTrue(m.parameters().containsKey("embed_types.weight"));
        assertTrue(m.parameters().containsKey("encoder.layers.1.self_attn.out_proj.weight"));
        assertTrue(m.parameters().containsKey("mlm_head.bias"));
        assertTrue(m.parameters().containsKey("classifier.out.weight"));
        assertArrayEquals(new int[] {2}, m.head("reward").forward(h, mask).shape());
        assertArrayEquals(new int[] {2, 5}, m.head("value").forward(h, mask).shape());
        // the reward reads the last unpadded token: row 1's is position 2
        Tensor reward = m.head("reward").forward(h, mask);
        Tensor lastOnly = m.head("reward").forward(h.slice(1, 2, 3), null);
        assertEquals(lastOnly.get(1), reward.get(1), 1e-6);
        var e = assertThrows(IllegalArgumentException.class, () -> m.head("clasifier"));
        assertTrue(e.getMessage().contains("did you mean \"classifier\""), e.getMessage());
        // padding: what the padded positions hold must not change the real ones
        int[] other = x.data().clone();
        other[8] = 0; other[9] = 1;
        Tensor h2 = m.encode(IntTensor.of(other, 2, 5), IntTensor.zeros(2, 5), mask);
        assertClose(h.slice(0, 1, 2).slice(1, 0, 3), h2.slice(0, 1, 2).slice(1, 0, 3), 1e-6f);
        assertThrows(IllegalStateException.class, () -> m.forward(x, null, null));
    }

    @Test void encoderDecoderCachedMatchesFull() {
        Model m = build(config("encoder-decoder", "sinusoidal", ""));
        assertTrue(m.parameters().containsKey("decoder.layers.0.cross_attn.q_proj.weight"));
        assertTrue(m.parameters().containsKey("encoder.layers.1.ffn.fc1.weight"));
        IntTensor src = ids(2, 7, 23, 6), tgt = ids(2, 4, 23, 7);
        IntTensor srcMask = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, 2, 7);
        try (var g = Tensor.noGrad()) {
            Tensor memory = m.encode(src, null, srcMask);
            Tensor full = m.logits(m.decode(tgt, null, memory, srcMask, null));
            DecoderCache cache = m.newCache();
            List<Tensor> steps = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                steps.add(m.logits(m.decode(IntTensor.of(slice(tgt, t, t + 1), 2, 1), null, memory, srcMask, cache)));
            }
            assertClose(full, Tensor.concat(steps, 1), 1e-5f);
        }
        assertThrows(IllegalArgumentException.class, () -> m.decode(tgt, null, null, null, null));
    }
}
