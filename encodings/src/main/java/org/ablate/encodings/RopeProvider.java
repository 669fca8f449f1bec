package org.ablate.encodings;

import java.util.List;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.tensor.Tensor;

/**
 * Rotary position embedding (Su et al. 2021) in Hugging Face LLaMA's layout: {@code inv_freq_i = theta^(-2i/Dh)},
 * {@code cos/sin = cat(angles, angles)}, {@code x·cos + rotate_half(x)·sin} with
 * {@code rotate_half(x) = cat(-x[Dh/2:], x[:Dh/2])}, applied to queries and keys per head.
 */
public final class RopeProvider extends Versioned {
    @Override public String id() { return "rope"; }

    @Override public String description() { return "Rotary position embedding on queries and keys, HF LLaMA rotate_half layout (Su et al. 2021, RoFormer)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("theta", 10000.0, 1.0, false, null, false, "frequency base: inv_freq_i = theta^(-2i/head_dim)"));
    }

    @Override public PositionalEncoding create(PositionalSpec spec, Params params, ParameterScope scope) {
        int dh = spec.headDim(), max = spec.maxPositions();
        if (dh % 2 != 0) throw new IllegalArgumentException("rope: head_dim must be even, got " + dh);
        double theta = params.getDouble("theta");
        float[][] cs = tables(max, dh, theta);
        return new PositionalEncoding() {
            @Override public Tensor rotate(Tensor x, int offset) {
                checkShape("rope", x, 4, dh, "queries or keys [B, H, L, " + dh + "]");
                int len = x.size(2);
                checkPositions("rope", offset, len, max);
                return new RopeRotation(cs[0], cs[1], offset, dh).apply(x);
            }

            @Override public String toString() { return "rope theta=" + theta; }
        };
    }

    /** cos and sin tables {@code [length, dh]}, computed in double. */
    static float[][] tables(int length, int dh, double theta) {
        int half = dh / 2;
        float[] cos = new float[length * dh], sin = new float[length * dh];
        for (int i = 0; i < half; i++) {
            // float32 inverse frequencies as HF computes them, so angles match its rounding at long positions
            float invFreq = (float) (1.0 / Math.pow(theta, (2.0 * i) / dh));
            for (int p = 0; p < length; p++) {
                float angle = p * invFreq;
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                cos[p * dh + i] = c; cos[p * dh + half + i] = c;
                sin[p * dh + i] = s; sin[p * dh + half + i] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}
