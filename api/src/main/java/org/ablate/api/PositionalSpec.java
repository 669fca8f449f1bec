package org.ablate.api;

/**
 * What a positional encoding needs to know about the model.
 *
 * @param dModel       embedding width
 * @param heads        number of attention heads (ALiBi has one slope per head)
 * @param headDim      width of one head (RoPE rotates within it)
 * @param maxPositions longest sequence the model supports
 */
@Stable
public record PositionalSpec(int dModel, int heads, int headDim, int maxPositions) {
    public PositionalSpec {
        if (dModel <= 0 || heads <= 0 || headDim <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("positional encoding: sizes must be positive, got d_model=" + dModel
                    + ", heads=" + heads + ", head_dim=" + headDim + ", max_positions=" + maxPositions);
        }
    }
}
