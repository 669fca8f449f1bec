package org.ablate.api;

import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/** A named output of a model, computed from the backbone's hidden states (see {@link HeadOutput} for shapes). */
@Experimental
public interface Head {
    /**
     * @param hidden  {@code [B, L, E]}
     * @param padding {@code [B, L]} 1 = token, 0 = padding; or {@code null} when nothing is padded
     */
    Tensor forward(Tensor hidden, IntTensor padding);

    HeadOutput output();
}
