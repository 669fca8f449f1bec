package org.ablate.models.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.ablate.api.BeamSearch;
import org.ablate.api.ComponentKind;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigLoader;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

class BeamAndSeq2seqTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    static Model model(String architecture) {
        String layers = architecture.equals("encoder-decoder") ? "encoder_layers: 1\ndecoder_layers: 2\n" : "layers: 2\n";
        String yaml = "architecture: " + architecture + "\n" + layers + """
                d_model: 16
                heads: 2
                d_ff: 32
                vocab_size: 19
                max_positions: 40
                norm: {id: layer-norm, placement: post}
                attention: {id: multi-head}
                positional: {id: sinusoidal, layout: halves}
                feed_forward: {id: mlp, activation: silu}
                scale_embedding: true
                final_logits_bias: true
                """;
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("t.yaml", yaml, true), 11, null);
        // Larger weights than the initialisation's 0.02 so that the distributions are far from uniform.
        for (Tensor p : m.parameters().values()) {
            float[] d = p.data();
            for (int i = 0; i < p.numel(); i++) d[p.offset() + i] *= 40;
        }
        return m;
    }

    static BeamSearch beams(int n) {
        return (BeamSearch) REGISTRY.sampler("beam-search").create(REGISTRY.params(ComponentKind.SAMPLER, "beam-search",
                Map.of("beams", n, "length_penalty", 1.0, "early_stopping", true)));
    }

    static SamplerChain greedy() { return SamplerChain.of(REGISTRY, List.of(new SamplerChain.Step("greedy", Map.of()))); }

    @Test void oneBeamIsGreedy() {
        Model m = model("decoder-only");
        int[] prompt = {3, 7, 1};
        int[] greedy = Generator.generate(m, prompt, greedy(), 10, -1, 0, null);
        assertArrayEquals(greedy, Generator.beam(m, beams(1), prompt, 10, -1).tokens());
    }

    /**
     * With a window the model never sees more than {@code window} tokens: each greedy pick equals the argmax of an
     * uncached pass over the tokens since the last slide (which keeps window/2 and restarts at position 0), and
     * the text runs past max_positions.
     */
    @Test void windowedGenerationReadsOnlyTheWindow() {
        Model m = model("decoder-only");
        int window = 8, keep = window / 2;
        int[] prompt = {3, 7, 1, 4, 4, 9, 2, 5, 8, 6, 1}; // longer than the window: read from its last 8 tokens
        int[] got = Generator.generate(m, prompt, greedy(), 50, -1, 0, null, window);
        assertEquals(prompt.length + 50, got.length, "50 new tokens, past max_positions 40");
        assertArrayEquals(prompt, Arrays.copyOf(got, prompt.length));
        int start = prompt.length - window, slides = 0;
        try (var g = Tensor.noGrad()) {
            for (int t = prompt.length; t < got.length; t++) {
                if (t - start > window) { start = t - keep; slides++; }
                int[] ctx = Arrays.copyOfRange(got, start, t);
                Tensor logits = m.logits(m.decode(IntTensor.of(ctx, 1, ctx.length), null, null, null, null));
                assertEquals(logits.slice(1, ctx.length - 1, ctx.length).reshape(1, 19).argmax(-1).data()[0], got[t], "token " + t);
            }
        }
        assertEquals(10, slides, "a slide at token 12, then every window - keep + 1 = 5 tokens up to 57");
        // Without a window the same model stops at max_positions.
        assertEquals(41, Generator.generate(m, new int[] {3}, greedy(), 100, -1, 0, null).length); // the 41st is picked, never read
        assertThrows(IllegalArgumentException.class, () -> Generator.generate(m, prompt, greedy(), 5, -1, 0, null, 41));
        assertThrows(IllegalArgumentException.class, () -> Generator.generate(m, prompt, greedy(), 5, -1, 0, null, 1));
    }

    /**
     * Decoder-only: every greedy pick of the cached loop, whose steps reuse each other's arrays, is the argmax of an
     * uncached pass over all tokens so far, up to max_positions (the tests run with poisoned workspaces: a tensor
     * read after its step closed would be NaN).
     */
    @Test void cachedGreedyMatchesUncachedArgmaxAtEveryStep() {
        Model m = model("decoder-only");
        int[] prompt = {3, 7, 1};
        List<Integer> streamed = new ArrayList<>();
        int[] got = Generator.generate(m, prompt, greedy(), 37, -1, 0, streamed::add);
        assertEquals(40, got.length, "up to max_positions");
        assertEquals(Arrays.stream(got).skip(prompt.length).boxed().toList(), streamed, "every token is streamed as it comes");
        try (var g = Tensor.noGrad()) {
            for (int t = prompt.length; t < got.length; t++) {
                int[] ctx = Arrays.copyOf(got, t);
                Tensor logits = m.logits(m.decode(IntTensor.of(ctx, 1, t), null, null, null, null));
                assertEquals(logits.slice(1, t - 1, t).reshape(1, 19).argmax(-1).data()[0], got[t], "token " + t);
            }
        }
        assertArrayEquals(prompt, Generator.generate(m, prompt, greedy(), 0, -1, 0, null), "no new tokens: the prompt");
    }

    /** The cached greedy loop must pick the argmax of an uncached full pass at every step. */
    @Test void seq2seqGreedyMatchesUncachedArgmax() {
        Model m = model("encoder-decoder");
        int[] source = {4, 9, 2, 11, 5};
        List<Integer> streamed = new ArrayList<>();
        int[] got = Generator.generateSeq2seq(m, source, 0, greedy(), 8, -1, 0, streamed::add);
        assertEquals(9, got.length);
        assertEquals(Arrays.stream(got).skip(1).boxed().toList(), streamed, "every token is streamed as it comes");
        try (var g = Tensor.noGrad()) {
            Tensor memory = m.encode(IntTensor.of(source, 1, source.length), null, null);
            for (int t = 1; t < got.length; t++) {
                int[] prefix = Arrays.copyOf(got, t);
                Tensor logits = m.logits(m.decode(IntTensor.of(prefix, 1, t), null, memory, null, null));
                assertEquals(logits.slice(1, t - 1, t).reshape(1, 19).argmax(-1).data()[0], got[t], "step " + t);
            }
        }
    }

    @Test void seq2seqStopsAtEos() {
        Model m = model("encoder-decoder");
        int[] free = Generator.generateSeq2seq(m, new int[] {4, 9, 2}, 0, greedy(), 8, -1, 0, null);
        int eos = free[3];
        int[] stopped = Generator.generateSeq2seq(m, new int[] {4, 9, 2}, 0, greedy(), 8, eos, 0, null);
        int first = 1;
        while (free[first] != eos) first++;
        assertArrayEquals(Arrays.copyOf(free, first + 1), stopped);
    }

    /** The reported score is the hypothesis' mean log-probability; a one-token search takes greedy's token. */
    @Test void beamScoreIsMeanLogProbability() {
        Model m = model("encoder-decoder");
        int[] source = {4, 9, 2, 11, 5};
        BeamSearch.Hypothesis best = Generator.beamSeq2seq(m, beams(4), source, 0, 6, -1);
        assertEquals(7, best.tokens().length);
        int[] greedyOne = Generator.generateSeq2seq(m, source, 0, greedy(), 1, -1, 0, null);
        assertArrayEquals(greedyOne, Generator.beamSeq2seq(m, beams(4), source, 0, 1, -1).tokens());
        assertEquals(score(m, source, best.tokens()), best.score(), 1e-4, "the reported score is the mean log-probability");
        assertThrows(IllegalArgumentException.class, () -> Generator.generate(m, new int[] {1}, greedy(), 3, -1, 0, null));
    }

    /** Mean log-probability of the generated tokens (length penalty 1), from one uncached pass. */
    static double score(Model m, int[] source, int[] tokens) {
        try (var g = Tensor.noGrad()) {
            Tensor memory = m.encode(IntTensor.of(source, 1, source.length), null, null);
            int n = tokens.length - 1;
            float[] lp = m.logits(m.decode(IntTensor.of(Arrays.copyOf(tokens, n), 1, n), null, memory, null, null)).logSoftmax(-1).toArray();
            double sum = 0;
            for (int t = 0; t < n; t++) sum += lp[t * 19 + tokens[t + 1]];
            return sum / n;
        }
    }
}
