package org.ablate.encodings;

import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;

/** No position information at all: every hook is the identity (a baseline; causal decoders still infer order). */
public final class NoneProvider extends Versioned {
    @Override public String id() { return "none"; }

    @Override public String description() { return "No positional information (NoPE baseline; Haviv et al. 2022, Kazemnejad et al. 2023)"; }

    @Override public PositionalEncoding create(PositionalSpec spec, Params params, ParameterScope scope) {
        return new PositionalEncoding() {
            @Override public String toString() { return "none"; }
        };
    }
}
