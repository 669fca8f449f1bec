package org.ablate.api;

/** Creates {@link Norm}s; discovered with {@link java.util.ServiceLoader}. */
@Stable
public interface NormProvider extends ComponentProvider {
    /** @param dim the normalised width; weights by convention {@code weight} (and {@code bias}) */
    Norm create(int dim, Params params, ParameterScope scope);
}
