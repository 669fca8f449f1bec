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

/** Layer normalisation over the last dimension (Ba, Kiros and Hinton 2016): weights {@code weight} and {@code bias}. */
public final class LayerNormProvider implements NormProvider {
    @Override public String id() { return "layer-norm"; }

    @Override public String description() {
        return "Layer normalisation: (x - mean) / sqrt(var + eps) * weight + bias over the last dimension (Ba et al. 2016)";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.real("eps", 1e-5, 0.0, false, 1.0, false, "added to the variance before the square root"),
                ParamSpec.bool("bias", true, "whether to learn an additive bias"));
    }

    @Override public Norm create(int dim, Params params, ParameterScope scope) {
        if (dim <= 0) throw new IllegalArgumentException("layer-norm: dim must be positive, got " + dim);
        float eps = (float) params.getDouble("eps");
        Tensor weight = scope.parameter("weight", Init.ones(), dim);
        Tensor bias = params.getBoolean("bias") ? scope.parameter("bias", Init.zeros(), dim) : null;
        return x -> {
            Shapes.requireLast("layer-norm", x, dim);
            return x.layerNorm(weight, bias, eps);
        };
    }
}
