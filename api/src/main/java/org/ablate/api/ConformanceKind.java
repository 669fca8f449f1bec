package org.ablate.api;

/**
 * One kind of conformance case (the {@code kind} in a case folder's {@code case.json}), checked by the
 * module that implements what the case tests. Registered with {@link java.util.ServiceLoader} like the
 * part providers, so a plugin can ship reference cases for its own parts and {@code ablate conformance}
 * runs them. The built-in kinds of the model stack (ops, attention, tokenizers, Hugging Face models)
 * are checked by the runner itself.
 */
@Experimental
public interface ConformanceKind {
    /** The {@code kind} value this checker handles, e.g. {@code "objective"}. */
    String kind();

    /**
     * Computes what the case describes and compares it with the case's expected values through
     * {@link ConformanceCase#close} and {@link ConformanceCase#exact}; throws for a malformed case.
     */
    void check(ConformanceCase c) throws Exception;
}
