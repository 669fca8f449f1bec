package org.ablate.attention;

import org.ablate.api.Attention;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;

/**
 * Multi-head attention whose queries come from the decoder and keys/values from the encoder memory; with a
 * cache, the memory's keys and values are computed on the first call and reused on every later one.
 * Positional hooks are not applied. Grouped key/value heads follow the spec's {@code kvHeads}.
 */
public final class CrossProvider extends Versioned {
    @Override public String id() { return "cross"; }

    @Override public String description() {
        return "Encoder-decoder multi-head cross-attention; memory keys/values computed once per source (Vaswani et al. 2017)";
    }

    @Override public Attention create(AttentionSpec spec, Params params, ParameterScope scope) {
        return new ProjectedAttention(id(), spec.dModel(), spec.heads(), spec.kvHeads(), spec.bias(), spec.dropout(), true, null, scope);
    }
}
