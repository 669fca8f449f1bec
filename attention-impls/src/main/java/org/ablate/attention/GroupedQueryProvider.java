package org.ablate.attention;

import java.util.List;
import org.ablate.api.Attention;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/**
 * Grouped-query attention (Ainslie et al. 2023): {@code kv_heads} key/value heads, each shared by
 * {@code heads / kv_heads} query heads; one key/value head is multi-query attention (Shazeer 2019).
 */
public final class GroupedQueryProvider extends Versioned {
    @Override public String id() { return "grouped-query"; }

    @Override public String description() {
        return "Grouped-query attention: kv_heads key/value heads shared by groups of query heads; 1 = multi-query (Ainslie et al. 2023)";
    }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.integer("kv_heads", 0, 0, null,
                "key/value heads, dividing heads; 1 = multi-query; 0 = the model's kv_heads"));
    }

    @Override public Attention create(AttentionSpec spec, Params params, ParameterScope scope) {
        int kv = params.getInt("kv_heads");
        if (kv == 0) kv = spec.kvHeads();
        if (spec.heads() % kv != 0) {
            throw new IllegalArgumentException("grouped-query: kv_heads " + kv + " does not divide heads " + spec.heads());
        }
        return new ProjectedAttention(id(), spec.dModel(), spec.heads(), kv, spec.bias(), spec.dropout(), spec.cross(),
                spec.positional(), scope);
    }
}
