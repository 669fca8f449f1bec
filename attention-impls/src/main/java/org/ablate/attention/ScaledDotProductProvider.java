package org.ablate.attention;

import org.ablate.api.Attention;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/**
 * One head over the full model width: {@code softmax(QKᵀ/√d_model)·V} between Q/K/V and output projections. The
 * model's positional encoding stays laid out for the model's {@code heads}: RoPE rotates the single head in
 * chunks of {@code d_model/heads}, and ALiBi's per-head biases are averaged (the bias of the mean slope).
 * With {@code heads = 1} in the model, both act on the full width.
 */
public final class ScaledDotProductProvider extends Versioned {
    @Override public String id() { return "scaled-dot-product"; }

    @Override public String description() {
        return "Single-head scaled dot-product attention over the full width, with Q/K/V/output projections (Vaswani et al. 2017)";
    }

    @Override public Attention create(AttentionSpec spec, Params params, ParameterScope scope) {
        // The model's positional encoding is laid out for spec.heads() heads: rotate in chunks of that width.
        return new ProjectedAttention(id(), spec.dModel(), 1, 1, spec.bias(), spec.dropout(), spec.cross(), spec.positional(),
                spec.heads(), scope);
    }
}
