package org.ablate.encodings;

import java.util.List;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.tensor.Tensor;

/**
 * Fixed sinusoidal positions added to the token embeddings (Vaswani et al. 2017). With angle
 * {@code a(k, i) = k / base^(2i/d)}: layout {@code interleaved} puts {@code sin a} at column {@code 2i} and
 * {@code cos a} at {@code 2i+1} (the paper); layout {@code halves} puts the sines in the first {@code d/2}
 * columns and the cosines in the rest (Marian, fairseq).
 */
public final class SinusoidalProvider extends Versioned {
    @Override public String id() { return "sinusoidal"; }

    @Override public String description() { return "Fixed sine/cosine table added to token embeddings (Vaswani et al. 2017)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.real("base", 10000.0, 1.0, false, null, false, "wavelength base: angle = position / base^(2i/d)"),
                ParamSpec.choice("layout", "interleaved", List.of("interleaved", "halves"),
                        "interleaved sin/cos columns (the paper) or all sines then all cosines (Marian)"));
    }

    @Override public PositionalEncoding create(PositionalSpec spec, Params params, ParameterScope scope) {
        int d = spec.dModel(), max = spec.maxPositions();
        float[] table = table(max, d, params.getDouble("base"), "halves".equals(params.getString("layout")));
        Tensor pe = Tensor.of(table, max, d);
        return new PositionalEncoding() {
            @Override public Tensor embed(Tensor tokens, int offset) {
                checkShape("sinusoidal", tokens, 3, d, "token embeddings [B, L, " + d + "]");
                int len = tokens.size(1);
                checkPositions("sinusoidal", offset, len, max);
                return tokens.add(pe.slice(0, offset, offset + len));
            }

            @Override public String toString() { return "sinusoidal"; }
        };
    }

    /** The {@code [length, d]} table, row-major, computed in double. */
    static float[] table(int length, int d, double base, boolean halves) {
        float[] t = new float[length * d];
        int pairs = (d + 1) / 2;
        for (int k = 0; k < length; k++) {
            for (int i = 0; i < pairs; i++) {
                double angle = k / Math.pow(base, 2.0 * i / d);
                int sinCol = halves ? i : 2 * i;
                int cosCol = halves ? pairs + i : 2 * i + 1;
                t[k * d + sinCol] = (float) Math.sin(angle);
                if (cosCol < d) t[k * d + cosCol] = (float) Math.cos(angle);
            }
        }
        return t;
    }
}
