package org.ablate.layers;

import java.util.List;
import org.ablate.api.ApiVersion;
import org.ablate.api.FeedForward;
import org.ablate.api.FeedForwardProvider;
import org.ablate.api.Init;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.Tensor;

/**
 * SwiGLU feed-forward (Shazeer 2020), as in LLaMA: {@code down(silu(gate(x)) * up(x))}, weights
 * {@code gate_proj.weight [d_ff, d_model]}, {@code up_proj.weight [d_ff, d_model]}, {@code down_proj.weight [d_model, d_ff]}
 * (and {@code .bias} of each when the model asks for biases).
 */
public final class SwiGluProvider implements FeedForwardProvider {
    @Override public String id() { return "swiglu"; }

    @Override public String description() {
        return "Gated feed-forward down(silu(gate x) * up x) as in LLaMA (Shazeer 2020, GLU Variants Improve Transformer)";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public FeedForward create(int dModel, int dFf, boolean bias, double dropout, Params params, ParameterScope scope) {
        if (dModel <= 0 || dFf <= 0) throw new IllegalArgumentException("swiglu: d_model and d_ff must be positive, got " + dModel + ", " + dFf);
        Tensor wg = scope.parameter("gate_proj.weight", Init.normal(0.02), dFf, dModel);
        Tensor bg = bias ? scope.parameter("gate_proj.bias", Init.zeros(), dFf) : null;
        Tensor wu = scope.parameter("up_proj.weight", Init.normal(0.02), dFf, dModel);
        Tensor bu = bias ? scope.parameter("up_proj.bias", Init.zeros(), dFf) : null;
        Tensor wd = scope.parameter("down_proj.weight", Init.normal(0.02), dModel, dFf);
        Tensor bd = bias ? scope.parameter("down_proj.bias", Init.zeros(), dModel) : null;
        String site = scope.prefix() + ".hidden";
        return x -> {
            Shapes.requireLast("swiglu", x, dModel);
            Tensor h = x.linear(wg, bg).silu().mul(x.linear(wu, bu));
            return Shapes.dropout(h, dropout, site).linear(wd, bd);
        };
    }
}
