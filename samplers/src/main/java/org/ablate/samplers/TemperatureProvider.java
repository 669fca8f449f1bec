package org.ablate.samplers;

import java.util.List;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/** Divides logits by a temperature: below 1 sharpens the distribution, above 1 flattens it. */
public final class TemperatureProvider extends Versioned {
    @Override public String id() { return "temperature"; }

    @Override public String description() { return "Divides the logits by a temperature (Ackley, Hinton & Sejnowski 1985; HF TemperatureLogitsWarper)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("value", 1.0, 0.0, false, null, false, "the temperature; < 1 sharpens, > 1 flattens"));
    }

    @Override public Sampler create(Params params) {
        double t = params.getDouble("value");
        return new Sampler() {
            @Override public Tensor process(Tensor logits, SamplingContext context) {
                float[][] rows = Rows.read("temperature", logits);
                for (float[] row : rows) for (int j = 0; j < row.length; j++) row[j] = (float) (row[j] / t);
                return Rows.write(rows);
            }

            @Override public String toString() { return "temperature " + t; }
        };
    }
}
