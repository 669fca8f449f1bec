package org.ablate.api;

/**
 * The model's chosen parts, as a block or head sees them: each call makes a new instance with weights
 * under {@code scope}. The model builds this from its config (one provider and parameter set per part).
 */
@Experimental
public interface PartFactory {
    /** Model width {@code E}. */
    int dModel();

    /** A norm over the model width. */
    Norm norm(ParameterScope scope);

    /** Self-attention ({@code cross == false}) applying {@code positional}'s hooks, or cross-attention over encoder memory. */
    Attention attention(ParameterScope scope, boolean cross, PositionalEncoding positional);

    /** The position-wise feed-forward. */
    FeedForward feedForward(ParameterScope scope);
}
