package org.ablate.api;

import org.ablate.tensor.Tensor;

/** Normalises the last dimension: {@code [..., E]} to {@code [..., E]}. One thread at a time. */
@Stable
public interface Norm {
    Tensor forward(Tensor x);
}
