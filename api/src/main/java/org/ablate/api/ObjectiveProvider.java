package org.ablate.api;

/** Creates {@link Objective}s from a run spec's {@code objective} section; discovered with {@link java.util.ServiceLoader}. */
@Experimental
public interface ObjectiveProvider extends ComponentProvider {
    Objective create(Params params);

    /**
     * Creates the objective of a run. Objectives that need more than their parameters (a frozen reference
     * model, the tokenizer's special ids) override this; by default it is {@link #create(Params)}.
     */
    default Objective create(Params params, ObjectiveContext context) { return create(params); }
}
