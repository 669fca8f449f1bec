package org.ablate.models.generate;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.ablate.api.SamplingContext;
import org.ablate.models.assembly.DecoderCache;
import org.ablate.models.assembly.Model;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/**
 * Incremental decoding for decoder-only models: the prompt runs once through the model filling the
 * KV cache, then each new token costs one cached step.
 */
public final class Generator {
    private Generator() {}

    /**
     * @param prompt       at least one token id
     * @param maxNewTokens stop after this many new tokens (or at {@code max_positions})
     * @param eos          stop after emitting this id; -1 for none
     * @param seed         seeds the random picks: the same seed gives the same tokens
     * @param onToken      receives each new id as soon as it is chosen (for streaming), or {@code null}
     * @return prompt followed by the generated ids
     */
    public static int[] generate(Model model, int[] prompt, SamplerChain chain, int maxNewTokens, int eos, long seed,
                                 IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt is empty; give at least one token");
        if (model.config().hasEncoder()) {
            throw new IllegalArgumentException("generate: decoder-only generation needs a decoder-only model, the config is "
                    + model.config().architecture().id());
        }
        int maxPositions = model.config().maxPositions();
        if (prompt.length > maxPositions) {
            throw new IllegalArgumentException("generate: the prompt has " + prompt.length + " tokens, more than max_positions " + maxPositions);
        }
        int budget = Math.min(maxNewTokens, maxPositions - prompt.length + 1);
        int[] out = Arrays.copyOf(prompt, prompt.length + Math.max(budget, 0));
        int length = prompt.length;
        SplittableRandom random = new SplittableRandom(seed);
        boolean was = model.training();
        model.train(false);
        try (NoGrad g = Tensor.noGrad()) {
            DecoderCache cache = model.newCache();
            Tensor logits = model.forward(IntTensor.of(prompt.clone(), 1, prompt.length), null, cache);
            for (int i = 0; i < budget; i++) {
                int v = logits.size(-1);
                Tensor last = logits.slice(1, logits.size(1) - 1, logits.size(1)).reshape(1, v);
                int token = chain.next(last, new SamplingContext(new int[][] {Arrays.copyOf(out, length)}, random))[0];
                out[length++] = token;
                if (onToken != null) onToken.accept(token);
                if (token == eos || i == budget - 1) break;
                logits = model.forward(IntTensor.of(new int[] {token}, 1, 1), null, cache);
            }
        } finally {
            model.train(was);
        }
        return Arrays.copyOf(out, length);
    }
}
