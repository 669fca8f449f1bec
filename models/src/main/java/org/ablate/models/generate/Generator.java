package org.ablate.models.generate;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

import org.ablate.api.BeamSearch;
import org.ablate.api.SamplingContext;
import org.ablate.models.assembly.DecoderCache;
import org.ablate.models.assembly.Model;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * Incremental decoding with the KV cache: the prompt (or the decoder start) runs once through the
 * model filling the cache, then each new token costs one cached step. Tokens come from a
 * {@link SamplerChain}, or from beam search. Generation stops after {@code maxNewTokens} or once
 * {@code eos} is produced (the eos is kept).
 */
public final class Generator {
    private Generator() {}

    /**
     * Decoder-only generation.
     *
     * @param prompt       at least one token id
     * @param maxNewTokens stop after this many new tokens (or at {@code max_positions})
     * @param eos          stop after emitting this id; -1 for none
     * @param seed         seeds the random picks: the same seed gives the same tokens
     * @param onToken      receives each new id as soon as it is chosen (for streaming), or {@code null}
     * @return prompt followed by the generated ids
     */
    public static int[] generate(Model model, int[] prompt, SamplerChain chain, int maxNewTokens, int eos, long seed,
                                 IntConsumer onToken) {
        return generate(model, prompt, chain, maxNewTokens, eos, seed, onToken, 0);
    }

    /**
     * Decoder-only generation that never shows the model more than {@code window} tokens, the context it was trained
     * at (nanoGPT crops to its block size the same way). When the text reaches {@code window} tokens the cache is
     * dropped and the last {@code window / 2} tokens are read again from position 0, as every training window
     * started at position 0 wherever it fell in the text; so positions the model never trained on are never used,
     * and the text may run past {@code max_positions}.
     *
     * @param window the longest context the model sees, 2 to {@code max_positions}; 0 for none (stop at {@code max_positions})
     */
    public static int[] generate(Model model, int[] prompt, SamplerChain chain, int maxNewTokens, int eos, long seed,
                                 IntConsumer onToken, int window) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt is empty; give at least one token");
        if (model.config().hasEncoder()) {
            throw new IllegalArgumentException("generate: decoder-only generation needs a decoder-only model, the config is "
                    + model.config().architecture().id());
        }
        int maxPositions = model.config().maxPositions();
        if (window != 0 && (window < 2 || window > maxPositions)) {
            throw new IllegalArgumentException("generate: window " + window + " must be 0 (none) or between 2 and max_positions " + maxPositions);
        }
        return run(model, prompt, null, chain, maxNewTokens, eos, seed, onToken, window);
    }

    /**
     * Encoder-decoder generation from one source sequence.
     *
     * @param source the source token ids (batch 1, no padding)
     * @param start  the decoder start token
     * @return the start token followed by the generated ids
     */
    public static int[] generateSeq2seq(Model model, int[] source, int start, SamplerChain chain, int maxNewTokens, int eos,
                                        long seed, IntConsumer onToken) {
        if (model.config().hasEncoder() == false || model.config().hasDecoder() == false) {
            throw new IllegalArgumentException("generateSeq2seq: needs an encoder-decoder model, the config is "
                    + model.config().architecture().id());
        }
        try (NoGrad g = Tensor.noGrad()) {
            Tensor memory = model.encode(IntTensor.of(source.clone(), 1, source.length), null, null);
            return run(model, new int[] {start}, memory, chain, maxNewTokens, eos, seed, onToken, 0);
        }
    }

    private static int[] run(Model model, int[] prefix, Tensor memory, SamplerChain chain, int maxNewTokens, int eos, long seed,
                             IntConsumer onToken, int window) {
        int maxPositions = model.config().maxPositions();
        if (window == 0 && prefix.length > maxPositions) {
            throw new IllegalArgumentException("generate: the prompt has " + prefix.length + " tokens, more than max_positions " + maxPositions);
        }
        int budget = window > 0 ? maxNewTokens : Math.min(maxNewTokens, maxPositions - prefix.length + 1);
        if (budget <= 0) {
            return prefix.clone();
        }
        int[] out = Arrays.copyOf(prefix, prefix.length + budget);
        // A prompt longer than the window is read from its last window tokens.
        int[] first = window > 0 && prefix.length > window ? Arrays.copyOfRange(prefix, prefix.length - window, prefix.length) : prefix.clone();
        int length = prefix.length, seen = first.length; // seen: tokens in the cache, i.e. the next token's position
        SplittableRandom random = new SplittableRandom(seed);
        // Each step runs in a workspace: its activations reuse the last step's arrays instead of leaving ~1 MB of
        // garbage per token (GPT-2-small), whose young collections promoted the growing caches and made the old
        // generation grow in pauses of 50-200 ms. The token is picked inside the step, from logits that die with it;
        // the caches copy what they keep.
        Workspace arrays = new Workspace();
        try (NoGrad g = Tensor.noGrad()) {
            // the caches never hold more than the window, or the prompt and the new tokens
            int positions = window > 0 ? window : first.length + budget;
            DecoderCache cache = model.newCache(positions);
            int token;
            try (Workspace.Step step = arrays.open()) {
                token = pick(chain, model.decode(IntTensor.of(first, 1, first.length), null, memory, null, cache), model, out, length, random);
            }
            for (int i = 0; i < budget; i++) {
                out[length++] = token;
                if (onToken != null) onToken.accept(token);
                if (token == eos || i == budget - 1) break;
                try (Workspace.Step step = arrays.open()) {
                    if (window > 0 && seen >= window) {
                        // The next position would reach the window: start again from the last window/2 tokens at position 0.
                        int keep = window / 2;
                        cache = model.newCache(positions);
                        token = pick(chain, model.decode(IntTensor.of(Arrays.copyOfRange(out, length - keep, length), 1, keep), null, memory, null, cache),
                                model, out, length, random);
                        seen = keep;
                    } else {
                        token = pick(chain, model.decode(IntTensor.of(new int[] {token}, 1, 1), null, memory, null, cache), model, out, length, random);
                        seen++;
                    }
                }
            }
        }
        return Arrays.copyOf(out, length);
    }

    /** The next token, chosen by {@code chain} from the last position of {@code hidden} given the first {@code length} tokens of {@code out}. */
    private static int pick(SamplerChain chain, Tensor hidden, Model model, int[] out, int length, SplittableRandom random) {
        return chain.next(lastLogits(model, hidden), new SamplingContext(new int[][] {Arrays.copyOf(out, length)}, random))[0];
    }

    /**
     * Vocabulary logits {@code [1, V]} of the last position of {@code hidden [1, L, d]}: sampling reads only that row,
     * so the head runs on it alone rather than on the whole prompt (GPT-2-small's head is 50,257 × 768: a prompt of 16
     * tokens spent most of its prefill there).
     */
    private static Tensor lastLogits(Model model, Tensor hidden) {
        int l = hidden.size(1);
        Tensor logits = model.logits(l == 1 ? hidden : hidden.slice(1, l - 1, l));
        return logits.reshape(1, logits.size(-1));
    }

    /** Beam search for a decoder-only model from {@code prompt}. */
    public static BeamSearch.Hypothesis beam(Model model, BeamSearch search, int[] prompt, int maxNewTokens, int eos) {
        return beam(model, search, prompt, null, maxNewTokens, eos);
    }

    /** Beam search for an encoder-decoder model from one source sequence, starting with {@code start}. */
    public static BeamSearch.Hypothesis beamSeq2seq(Model model, BeamSearch search, int[] source, int start, int maxNewTokens, int eos) {
        try (NoGrad g = Tensor.noGrad()) {
            Tensor memory = model.encode(IntTensor.of(source.clone(), 1, source.length), null, null);
            return beam(model, search, new int[] {start}, memory, maxNewTokens, eos);
        }
    }

    private static BeamSearch.Hypothesis beam(Model model, BeamSearch search, int[] start, Tensor memory, int maxNewTokens, int eos) {
        try (NoGrad g = Tensor.noGrad()) {
            DecoderCache cache = model.newCache((int) Math.min(model.config().maxPositions(), (long) start.length + maxNewTokens));
            // The cache holds every token but the last; each step feeds the last token of each hypothesis.
            if (start.length > 1) {
                model.decode(IntTensor.of(Arrays.copyOf(start, start.length - 1), 1, start.length - 1), null, memory, null, cache);
            }
            Workspace arrays = new Workspace(); // as in run: each step's activations reuse the last step's arrays
            return search.search(start, eos, maxNewTokens, (List<int[]> hypotheses, int[] parents) -> {
                try (Workspace.Step step = arrays.open()) {
                    cache.reorder(parents);
                    int n = hypotheses.size();
                    int[] last = new int[n];
                    for (int i = 0; i < n; i++) last[i] = hypotheses.get(i)[hypotheses.get(i).length - 1];
                    Tensor mem = memory;
                    if (memory != null && n != memory.size(0)) mem = memory.slice(0, 0, 1).expand(n, memory.size(1), memory.size(2)).contiguous();
                    Tensor logits = model.logits(model.decode(IntTensor.of(last, n, 1), null, mem, null, cache)).contiguous();
                    int v = logits.size(2);
                    float[] flat = logits.toArray();
                    float[][] rows = new float[n][];
                    for (int i = 0; i < n; i++) rows[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
                    return rows;
                }
            });
        }
    }
}
