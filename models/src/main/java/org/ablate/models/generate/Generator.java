package org.ablate.models.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;

import org.ablate.api.BeamSearch;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.models.assembly.DecoderCache;
import org.ablate.models.assembly.Model;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Incremental decoding with the KV cache: the prompt (or the decoder start) is run once, then one
 * token per step. Tokens are chosen by a sampler chain (processing steps, then a picking step; a chain
 * that does not pick ends in a seeded draw; an empty chain is greedy), or by beam search. Generation
 * stops after {@code maxNewTokens} or when {@code eos} is produced (the eos is kept).
 */
public final class Generator {
    private final Model model;

    public Generator(Model model) { this.model = model; }

    /**
     * Decoder-only generation.
     *
     * @param prompt  at least one token
     * @param eos     end-of-sequence id, or -1
     * @param onToken receives each new token as soon as it is chosen (may be {@code null})
     * @return the prompt followed by the generated tokens
     */
    public int[] generate(int[] prompt, int maxNewTokens, int eos, List<Sampler> chain, RandomGenerator random, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt is empty; give at least one token");
        return run(prompt, null, null, maxNewTokens, eos, chain, random, onToken);
    }

    /**
     * Encoder-decoder generation from one source sequence.
     *
     * @param source the source token ids (batch 1)
     * @param start  the decoder start token
     * @return the start token followed by the generated tokens
     */
    public int[] generateSeq2seq(int[] source, int start, int maxNewTokens, int eos, List<Sampler> chain, RandomGenerator random,
                                 IntConsumer onToken) {
        try (var g = Tensor.noGrad()) {
            Tensor memory = model.encode(IntTensor.of(source.clone(), 1, source.length), null, null);
            return run(new int[] {start}, memory, null, maxNewTokens, eos, chain, random, onToken);
        }
    }

    private int[] run(int[] prefix, Tensor memory, IntTensor memoryPadding, int maxNewTokens, int eos, List<Sampler> chain,
                      RandomGenerator random, IntConsumer onToken) {
        boolean was = model.training();
        model.train(false);
        try (var g = Tensor.noGrad()) {
            DecoderCache cache = model.newCache();
            List<Integer> tokens = new ArrayList<>();
            for (int t : prefix) tokens.add(t);
            Tensor logits = lastLogits(model.logits(model.decode(IntTensor.of(prefix.clone(), 1, prefix.length), null, memory, memoryPadding, cache)));
            for (int step = 0; step < maxNewTokens; step++) {
                int[] seq = tokens.stream().mapToInt(Integer::intValue).toArray();
                int next = choose(logits, chain, new SamplingContext(new int[][] {seq}, random));
                tokens.add(next);
                if (onToken != null) onToken.accept(next);
                if (next == eos || step == maxNewTokens - 1) break;
                logits = lastLogits(model.logits(model.decode(IntTensor.of(new int[] {next}, 1, 1), null, memory, memoryPadding, cache)));
            }
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        } finally {
            model.train(was);
        }
    }

    private static Tensor lastLogits(Tensor logits) {
        int l = logits.size(1);
        return logits.slice(1, l - 1, l).squeeze(1).contiguous();
    }

    /** Applies the chain to logits {@code [1, V]} and returns the chosen token. */
    public static int choose(Tensor logits, List<Sampler> chain, SamplingContext context) {
        if (chain == null || chain.isEmpty()) return logits.argmax(-1).data()[0];
        Tensor x = logits;
        for (Sampler s : chain) {
            if (s.picks()) return s.pick(x, context)[0];
            x = s.process(x, context);
        }
        float[] p = x.softmax(-1).toArray();
        double u = context.random().nextDouble(), acc = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) last = i;
            acc += p[i];
            if (u < acc) return i;
        }
        return last;
    }

    /** Beam search for a decoder-only model from {@code prompt}. */
    public BeamSearch.Hypothesis beam(BeamSearch search, int[] prompt, int maxNewTokens, int eos) {
        return beam(search, prompt, null, maxNewTokens, eos);
    }

    /** Beam search for an encoder-decoder model from one source sequence, starting with {@code start}. */
    public BeamSearch.Hypothesis beamSeq2seq(BeamSearch search, int[] source, int start, int maxNewTokens, int eos) {
        try (var g = Tensor.noGrad()) {
            Tensor memory = model.encode(IntTensor.of(source.clone(), 1, source.length), null, null);
            return beam(search, new int[] {start}, memory, maxNewTokens, eos);
        }
    }

    private BeamSearch.Hypothesis beam(BeamSearch search, int[] start, Tensor memory, int maxNewTokens, int eos) {
        boolean was = model.training();
        model.train(false);
        try (var g = Tensor.noGrad()) {
            DecoderCache cache = model.newCache();
            // The cache holds every token but the last; each step feeds the last token of each hypothesis.
            if (start.length > 1) {
                model.decode(IntTensor.of(Arrays.copyOf(start, start.length - 1), 1, start.length - 1), null, memory, null, cache);
            }
            return search.search(start, eos, maxNewTokens, (hypotheses, parents) -> {
                cache.reorder(parents);
                int n = hypotheses.size();
                int[] last = new int[n];
                for (int i = 0; i < n; i++) last[i] = hypotheses.get(i)[hypotheses.get(i).length - 1];
                Tensor mem = memory;
                if (memory != null && n != memory.size(0)) mem = memory.slice(0, 0, 1).expand(n, memory.size(1), memory.size(2)).contiguous();
                Tensor logits = model.logits(model.decode(IntTensor.of(last, n, 1), null, mem, null, cache));
                int v = logits.size(2);
                float[] flat = logits.contiguous().toArray();
                float[][] rows = new float[n][];
                for (int i = 0; i < n; i++) rows[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
                return rows;
            });
        } finally {
            model.train(was);
        }
    }
}
