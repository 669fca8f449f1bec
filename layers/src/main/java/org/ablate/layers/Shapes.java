package org.ablate.layers;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.ablate.tensor.Tensor;

final class Shapes {
    private Shapes() {}

    static void requireLast(String what, Tensor x, int dim) {
        if (x.dim() == 0 || x.size(-1) != dim) {
            throw new IllegalArgumentException(what + ": input must be [..., " + dim + "], got " + Arrays.toString(x.shape()));
        }
    }

    /** Dropout's source of randomness, fixed by the layer's name so that runs repeat. */
    static RandomGenerator dropoutRandom(String prefix) {
        return new SplittableRandom(0x5DEECE66DL ^ prefix.hashCode());
    }

    /** Dropout is a training-time operation; gradients being recorded is the sign of training. */
    static Tensor dropout(Tensor x, double p, RandomGenerator random) {
        return p > 0 && Tensor.gradEnabled() ? x.dropout((float) p, random, true) : x;
    }
}
