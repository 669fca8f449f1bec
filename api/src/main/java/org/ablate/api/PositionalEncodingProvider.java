package org.ablate.api;

/** Creates {@link PositionalEncoding}s; discovered with {@link java.util.ServiceLoader}. */
@Stable
public interface PositionalEncodingProvider extends ComponentProvider {
    /** @param scope where learned variants create their table (by convention {@code weight}) */
    PositionalEncoding create(PositionalSpec spec, Params params, ParameterScope scope);
}
