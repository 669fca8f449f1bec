package org.ablate.api;

import java.util.Map;
import org.ablate.tensor.Tensor;

/**
 * Where a component creates its trainable weights, under stable dotted names such as
 * {@code decoder.layers.3.self_attn.q_proj.weight}. A component asks for {@link #child(String)}
 * scopes for its sub-parts and {@link #parameter} for its own tensors; the model collects them all
 * for optimizers, checkpoints and Hugging Face import/export.
 *
 * <p>Not thread-safe: components are built on one thread.
 */
@Stable
public interface ParameterScope {
    /** The dotted prefix of this scope, {@code ""} at the root. */
    String prefix();

    /** A scope for a sub-part: {@code child("q_proj")} under {@code "layers.0.self_attn"} names {@code "layers.0.self_attn.q_proj"}. */
    ParameterScope child(String name);

    /**
     * Creates, registers and returns a trainable tensor ({@code requiresGrad}) named {@code prefix() + "." + name}.
     *
     * @throws IllegalStateException if that full name is already registered
     */
    Tensor parameter(String name, Init init, int... shape);

    /** Registers a non-trainable tensor (e.g. a sinusoidal table) under {@code prefix() + "." + name}; not saved in checkpoints. */
    Tensor buffer(String name, Tensor value);

    /** Every parameter registered through this scope's root so far, by full name, in creation order. */
    Map<String, Tensor> parameters();

    /** Every buffer registered through this scope's root so far, by full name, in creation order. */
    default Map<String, Tensor> buffers() { return Map.of(); }

    /**
     * A root scope (prefix {@code ""}) whose initialisers draw from a generator seeded with {@code seed}:
     * the same seed and build order give the same weights. Names are unique across parameters and buffers.
     */
    static ParameterScope root(long seed) {
        return root(java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(seed));
    }

    /** A root scope whose initialisers draw from {@code random}. */
    static ParameterScope root(java.util.random.RandomGenerator random) {
        return ScopeImpl.root(random);
    }

    /**
     * A root scope that leaves every parameter at zero without running its initialiser: for a model whose every
     * weight is about to be read from a checkpoint, which then costs no random numbers and no second copy.
     */
    static ParameterScope forLoading() {
        return ScopeImpl.root(null);
    }
}
