package org.ablate.api;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.ablate.tensor.Tensor;

/**
 * A {@link ParameterScope} whose root and children share one registry of parameters and one of buffers
 * (insertion-ordered), and one seeded random source, so the same build order gives the same weights.
 */
final class ScopeImpl implements ParameterScope {
    private final String prefix;
    private final Shared shared;

    private static final class Shared {
        final Map<String, Tensor> parameters = new LinkedHashMap<>();
        final Map<String, Tensor> buffers = new LinkedHashMap<>();
        final RandomGenerator random;
        Shared(RandomGenerator random) { this.random = random; }
    }

    private ScopeImpl(String prefix, Shared shared) {
        this.prefix = prefix;
        this.shared = shared;
    }

    /** A root scope whose initialisers draw from {@code random}; with null, parameters stay zero (see forLoading). */
    public static ScopeImpl root(RandomGenerator random) { return new ScopeImpl("", new Shared(random)); }

    @Override public String prefix() { return prefix; }

    @Override public ParameterScope child(String name) { return new ScopeImpl(fullName(name), shared); }

    @Override public Tensor parameter(String name, Init init, int... shape) {
        String full = fullName(name);
        refuseDuplicate(full);
        long n = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("parameter \"" + full + "\": dimensions must be positive, got " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter \"" + full + "\": shape " + Arrays.toString(shape) + " has " + n
                    + " elements, more than one array holds (2^31-1)");
        }
        // laid out as the engine lays out weights (Tensor.zerosOnDemand); when weights are loaded next, in place or
        // into the array made then, nothing is drawn
        Tensor t = Tensor.zerosOnDemand(shape);
        if (shared.random != null) init.fill(t.data(), t.offset(), shape.clone(), shared.random);
        t.requiresGrad(true);
        shared.parameters.put(full, t);
        return t;
    }

    @Override public Tensor buffer(String name, Tensor value) {
        String full = fullName(name);
        refuseDuplicate(full);
        shared.buffers.put(full, value);
        return value;
    }

    @Override public Map<String, Tensor> parameters() { return Collections.unmodifiableMap(shared.parameters); }

    @Override public Map<String, Tensor> buffers() { return Collections.unmodifiableMap(shared.buffers); }

    private void refuseDuplicate(String full) {
        if (shared.parameters.containsKey(full) || shared.buffers.containsKey(full)) {
            throw new IllegalStateException("parameter scope: \"" + full + "\" is already registered");
        }
    }

    private String fullName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")
                || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("parameter scope: bad name \"" + name + "\" under \"" + prefix
                    + "\"; expected non-empty dot-separated parts without spaces");
        }
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    @Override public String toString() { return "ParameterScope[" + (prefix.isEmpty() ? "<root>" : prefix) + "]"; }
}
