package org.ablate.encodings;

import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.tensor.Tensor;

/**
 * ALiBi (Press, Smith and Lewis 2022): no position embeddings; each head adds {@code -m_h·|i - j|} to the score of
 * query position {@code i} on key position {@code j}. For causal attention this is the paper's {@code m_h·(j - i)};
 * the absolute distance extends it to bidirectional attention. Slopes: for {@code n} a power of two,
 * {@code m_h = 2^(-8(h+1)/n)}; otherwise the slopes of the nearest lower power of two {@code p}, then every other
 * slope of {@code 2p}, as in the paper's reference code.
 */
public final class AlibiProvider extends Versioned {
    @Override public String id() { return "alibi"; }

    @Override public String description() { return "Linear distance bias on attention scores, one slope per head (Press et al. 2022, ALiBi)"; }

    @Override public PositionalEncoding create(PositionalSpec spec, Params params, ParameterScope scope) {
        int heads = spec.heads(), max = spec.maxPositions();
        double[] slopes = slopes(heads);
        return new PositionalEncoding() {
            @Override public Tensor scoreBias(int queryLength, int queryOffset, int keyLength) {
                checkPositions("alibi", queryOffset, queryLength, max);
                checkPositions("alibi", 0, keyLength, max);
                float[] bias = new float[heads * queryLength * keyLength];
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < queryLength; i++) {
                        int base = (h * queryLength + i) * keyLength;
                        for (int j = 0; j < keyLength; j++) {
                            bias[base + j] = (float) (-slopes[h] * Math.abs(queryOffset + i - j));
                        }
                    }
                }
                return Tensor.of(bias, heads, queryLength, keyLength);
            }

            @Override public String toString() { return "alibi"; }
        };
    }

    /** The per-head slopes. */
    static double[] slopes(int n) {
        int p = Integer.highestOneBit(n);
        double[] out = new double[n];
        double[] pow = powerOfTwo(p);
        System.arraycopy(pow, 0, out, 0, p);
        if (p < n) {
            double[] twice = powerOfTwo(2 * p);
            for (int i = 0; i < n - p; i++) out[p + i] = twice[2 * i];
        }
        return out;
    }

    private static double[] powerOfTwo(int n) {
        double start = Math.pow(2, -8.0 / n);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) s[i] = Math.pow(start, i + 1);
        return s;
    }
}
