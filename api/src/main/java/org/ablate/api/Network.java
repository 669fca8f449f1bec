package org.ablate.api;

import java.util.Set;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * A model as an objective sees it: a backbone (encoder and/or decoder stack) and named heads. Objectives
 * compute their loss through this view, so they work with any architecture that has what they need.
 */
@Experimental
public interface Network {
    boolean hasEncoder();

    boolean hasDecoder();

    int vocabSize();

    /**
     * Runs the encoder stack.
     *
     * @param typeIds {@code [B, L]} segment ids, or {@code null}
     * @param padding {@code [B, L]} 1 = token, 0 = padding, or {@code null}
     */
    Tensor encode(IntTensor ids, IntTensor typeIds, IntTensor padding);

    /**
     * Runs the decoder stack with causal self-attention (and cross-attention over {@code memory} in an
     * encoder-decoder model); {@code memory} and {@code memoryPadding} are {@code null} in a decoder-only one.
     */
    Tensor decode(IntTensor ids, IntTensor padding, Tensor memory, IntTensor memoryPadding);

    /** The head called {@code name}; fails naming the heads the model has. */
    Head head(String name);

    Set<String> heads();
}
