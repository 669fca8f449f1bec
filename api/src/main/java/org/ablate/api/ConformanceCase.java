package org.ablate.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * One case folder as a {@link ConformanceKind} sees it: its {@code case.json} (as plain maps, lists,
 * strings, numbers and booleans), its {@code io.safetensors} tensors, and the comparisons that decide
 * whether it passes, within the case's own tolerance.
 */
@Experimental
public interface ConformanceCase {
    Path folder();

    /** The whole case.json. */
    Map<String, Object> json();

    /** {@code case.json}'s {@code params} object (empty when absent). */
    Map<String, Object> params();

    /** A number from {@code params}, or {@code fallback} when absent. */
    default double param(String key, double fallback) {
        Object v = params().get(key);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(folder().resolve("case.json") + ": params." + key + " is " + v + ", expected a number");
    }

    /** A string from {@code params}, or {@code fallback} when absent. */
    default String param(String key, String fallback) {
        Object v = params().get(key);
        return v == null ? fallback : String.valueOf(v);
    }

    /** Another JSON file of the folder (e.g. {@code cases.json}) as plain maps and lists. */
    Object readJson(String file) throws IOException;

    /** Whether io.safetensors holds a tensor called {@code name}. */
    boolean has(String name);

    /** A floating-point tensor from io.safetensors (any float dtype, as F32). */
    Tensor tensor(String name) throws IOException;

    /** An integer tensor from io.safetensors. */
    IntTensor ints(String name) throws IOException;

    /** Elementwise comparison within the case's tolerance (atol + rtol·|expected|). */
    void close(String what, Tensor expected, Tensor actual);

    /** One number compared within the case's tolerance. */
    void close(String what, double expected, double actual);

    /** An exact comparison (token ids, counts, strings). */
    void exact(String what, Object expected, Object actual);
}
