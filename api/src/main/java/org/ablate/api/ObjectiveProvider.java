package org.ablate.api;

/** Creates {@link Objective}s from a run spec's {@code objective} section; discovered with {@link java.util.ServiceLoader}. */
@Experimental
public interface ObjectiveProvider extends ComponentProvider {
    Objective create(Params params);
}
