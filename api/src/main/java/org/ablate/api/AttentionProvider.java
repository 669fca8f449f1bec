package org.ablate.api;

/** Creates {@link Attention} layers; discovered with {@link java.util.ServiceLoader}. */
@Stable
public interface AttentionProvider extends ComponentProvider {
    /**
     * @param spec   the layer's shape and the model's positional encoding
     * @param params validated against {@link #parameters()}
     * @param scope  where to create weights (by convention {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code out_proj})
     */
    Attention create(AttentionSpec spec, Params params, ParameterScope scope);
}
