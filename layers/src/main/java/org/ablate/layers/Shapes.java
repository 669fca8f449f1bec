package org.ablate.layers;

import java.util.Arrays;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.Tensor;

final class Shapes {
    private Shapes() {}

    static void requireLast(String what, Tensor x, int dim) {
        if (x.dim() == 0 || x.size(-1) != dim) {
            throw new IllegalArgumentException(what + ": input must be [..., " + dim + "], got " + Arrays.toString(x.shape()));
        }
    }

    /** Dropout in training mode only (the run's {@link Dropout} switch); its masks derive from the run seed and {@code site}. */
    static Tensor dropout(Tensor x, double p, String site) {
        return Dropout.apply(x, p, site);
    }
}
