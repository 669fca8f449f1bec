package org.ablate.api;

/** Creates {@link Head}s; discovered with {@link java.util.ServiceLoader}. */
@Experimental
public interface HeadProvider extends ComponentProvider {
    /** @param scope the head's own scope, named after the head (e.g. {@code lm_head}) */
    Head create(HeadSpec spec, Params params, ParameterScope scope);
}
