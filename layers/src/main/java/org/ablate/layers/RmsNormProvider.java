package org.ablate.layers;

import java.util.List;
import org.ablate.api.ApiVersion;
import org.ablate.api.Init;
import org.ablate.api.Norm;
import org.ablate.api.NormProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.Tensor;

/** Root-mean-square normalisation (Zhang and Sennrich 2019), as in LLaMA: {@code x / sqrt(mean(x²) + eps) * weight}. */
public final class RmsNormProvider implements NormProvider {
    @Override public String id() { return "rms-norm"; }

    @Override public String description() {
        return "RMS normalisation: x / sqrt(mean(x^2) + eps) * weight, no centring, no bias (Zhang & Sennrich 2019; LLaMA)";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("eps", 1e-5, 0.0, false, 1.0, false, "added to the mean square before the square root"));
    }

    @Override public Norm create(int dim, Params params, ParameterScope scope) {
        if (dim <= 0) throw new IllegalArgumentException("rms-norm: dim must be positive, got " + dim);
        float eps = (float) params.getDouble("eps");
        Tensor weight = scope.parameter("weight", Init.ones(), dim);
        return x -> {
            Shapes.requireLast("rms-norm", x, dim);
            return x.rmsNorm(weight, eps);
        };
    }
}
