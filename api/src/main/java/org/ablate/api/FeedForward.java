package org.ablate.api;

import org.ablate.tensor.Tensor;

/** The position-wise block after attention: {@code [..., E]} to {@code [..., E]}. One thread at a time. */
@Stable
public interface FeedForward {
    Tensor forward(Tensor x);
}
