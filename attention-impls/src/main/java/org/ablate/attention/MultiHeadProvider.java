package org.ablate.attention;

import org.ablate.api.Attention;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/** {@code H} heads of width {@code d_model/H}, concatenated and projected (Vaswani et al. 2017). */
public final class MultiHeadProvider extends Versioned {
    @Override public String id() { return "multi-head"; }

    @Override public String description() {
        return "Multi-head attention: h heads of d_model/h, concatenated, output projection (Vaswani et al. 2017)";
    }

    @Override public Attention create(AttentionSpec spec, Params params, ParameterScope scope) {
        if (spec.kvHeads() != spec.heads()) {
            throw new IllegalArgumentException("multi-head: kv_heads (" + spec.kvHeads() + ") must equal heads (" + spec.heads()
                    + "); use attention \"grouped-query\" for shared key/value heads");
        }
        return new ProjectedAttention(id(), spec.dModel(), spec.heads(), spec.heads(), spec.bias(), spec.dropout(), spec.cross(),
                spec.positional(), scope);
    }
}
