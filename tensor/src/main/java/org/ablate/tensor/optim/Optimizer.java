package org.ablate.tensor.optim;

import java.util.List;
import java.util.Map;
import org.ablate.tensor.Tensor;

/**
 * Updates parameters in place from their accumulated gradients. Parameters must be contiguous leaf tensors;
 * a parameter whose {@link Tensor#grad()} is null is left unchanged by {@link #step()}.
 */
public interface Optimizer {
    /** Applies one update to every parameter that has a gradient. */
    void step();

    /** Clears every parameter's gradient. */
    default void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** The parameters, in the order given at construction (state keys refer to these indices). */
    List<Tensor> parameters();

    double learningRate();

    void setLearningRate(double lr);

    /**
     * A copy of the optimizer's state (step count, learning rate, per-parameter buffers keyed by parameter index),
     * enough to continue training identically after {@link #loadState}.
     */
    Map<String, Tensor> state();

    /** Restores state produced by {@link #state()} of an optimizer over parameters of the same shapes. */
    void loadState(Map<String, Tensor> state);
}
