package org.ablate.api;

/**
 * The shape of one attention layer, fixed by the model config.
 *
 * @param dModel      model width {@code E} of queries (and of keys/values unless {@code cross})
 * @param heads       number of query heads {@code H}; {@code dModel % heads == 0}
 * @param kvHeads     number of key/value heads; divides {@code heads} ({@code == heads} for plain multi-head)
 * @param bias        whether the Q/K/V/output projections have biases
 * @param dropout     dropout on attention probabilities during training
 * @param cross       true when keys/values come from another sequence (encoder memory)
 * @param positional  the model's positional encoding, whose {@link PositionalEncoding#rotate} and
 *                    {@link PositionalEncoding#scoreBias} hooks self-attention must apply
 *                    (cross-attention applies neither)
 */
@Stable
public record AttentionSpec(int dModel, int heads, int kvHeads, boolean bias, double dropout, boolean cross,
                            PositionalEncoding positional) {
    public AttentionSpec {
        if (dModel <= 0 || heads <= 0 || kvHeads <= 0) {
            throw new IllegalArgumentException("attention: d_model, heads and kv_heads must be positive, got "
                    + dModel + ", " + heads + ", " + kvHeads);
        }
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("attention: d_model " + dModel + " is not divisible by heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: kv_heads " + kvHeads + " does not divide heads " + heads);
        }
    }

    public int headDim() { return dModel / heads; }
}
