package org.ablate.api;

/** Creates {@link Objective}s from a run spec's {@code objective} section; discovered with {@link java.util.ServiceLoader}. */
@Experimental
public interface ObjectiveProvider extends ComponentProvider {
    Objective create(Params params);

    /**
     * The objective of a run whose tokenizer is {@code tokenizer}; objectives that need its special ids
     * or vocabulary (masked LM's [MASK] and random replacements) override this. The run calls this one.
     */
    default Objective create(Params params, Tokenizer tokenizer) { return create(params); }
}
