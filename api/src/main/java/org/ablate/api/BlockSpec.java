package org.ablate.api;

/**
 * What a block wiring is built from.
 *
 * @param parts      makes the block's sub-layers from the model's chosen parts
 * @param positional the stack's positional encoding, for self-attention's hooks
 * @param cross      whether the block attends to encoder memory (decoder of an encoder-decoder model)
 * @param dropout    residual dropout on each sub-layer's output during training
 */
@Experimental
public record BlockSpec(PartFactory parts, PositionalEncoding positional, boolean cross, double dropout) {
    public BlockSpec {
        if (parts == null) throw new IllegalArgumentException("block: parts are required");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("block: dropout must be in [0, 1), got " + dropout);
    }
}
