package org.ablate.api;

/** Creates {@link Sampler} steps; discovered with {@link java.util.ServiceLoader}. */
@Stable
public interface SamplerProvider extends ComponentProvider {
    /** @param params validated against {@link #parameters()}: out-of-range values never reach here */
    Sampler create(Params params);
}
