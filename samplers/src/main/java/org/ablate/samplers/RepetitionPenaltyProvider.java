package org.ablate.samplers;

import java.util.List;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/**
 * CTRL's repetition penalty with HF semantics: for every token already in the sequence, a negative logit is
 * multiplied by the penalty and any other is divided by it (each token once, however often it occurred).
 */
public final class RepetitionPenaltyProvider extends Versioned {
    @Override public String id() { return "repetition-penalty"; }

    @Override public String description() { return "Penalises tokens already generated or in the prompt (Keskar et al. 2019, CTRL)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("penalty", 1.2, 0.0, false, null, false, "> 1 discourages repeats, 1 does nothing"));
    }

    @Override public Sampler create(Params params) {
        float penalty = (float) params.getDouble("penalty");
        return new Sampler() {
            @Override public Tensor process(Tensor logits, SamplingContext context) {
                float[][] rows = Rows.read("repetition-penalty", logits);
                int[][] previous = context.previousTokens();
                if (previous.length != rows.length) {
                    throw new IllegalArgumentException("repetition-penalty: " + rows.length + " logit rows but "
                            + previous.length + " rows of previous tokens");
                }
                for (int i = 0; i < rows.length; i++) {
                    float[] row = rows[i];
                    boolean[] seen = new boolean[row.length];
                    for (int t : previous[i]) {
                        if (t < 0 || t >= row.length) {
                            throw new IllegalArgumentException("repetition-penalty: previous token " + t + " outside vocabulary of " + row.length);
                        }
                        if (seen[t]) continue;
                        seen[t] = true;
                        row[t] = row[t] < 0 ? row[t] * penalty : row[t] / penalty;
                    }
                }
                return Rows.write(rows);
            }

            @Override public String toString() { return "repetition-penalty " + penalty; }
        };
    }
}
