package org.ablate.layers;

import java.util.List;
import java.util.function.UnaryOperator;
import org.ablate.api.ApiVersion;
import org.ablate.api.FeedForward;
import org.ablate.api.FeedForwardProvider;
import org.ablate.api.Init;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.Tensor;

/**
 * The transformer's position-wise feed-forward (Vaswani et al. 2017): {@code fc2(dropout(act(fc1(x))))},
 * weights {@code fc1.weight [d_ff, d_model]}, {@code fc1.bias}, {@code fc2.weight [d_model, d_ff]}, {@code fc2.bias}
 * (the names Marian and BART use).
 */
public final class MlpProvider implements FeedForwardProvider {
    static final List<String> ACTIVATIONS = List.of("relu", "gelu", "gelu-tanh", "silu");

    @Override public String id() { return "mlp"; }

    @Override public String description() {
        return "Two-layer feed-forward fc2(act(fc1 x)) with relu, gelu (erf), gelu-tanh or silu (Vaswani et al. 2017; Hendrycks & Gimpel 2016)";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.choice("activation", "gelu", ACTIVATIONS,
                "non-linearity between the two projections; gelu is the exact erf form, gelu-tanh GPT-2's approximation"));
    }

    @Override public FeedForward create(int dModel, int dFf, boolean bias, double dropout, Params params, ParameterScope scope) {
        if (dModel <= 0 || dFf <= 0) throw new IllegalArgumentException("mlp: d_model and d_ff must be positive, got " + dModel + ", " + dFf);
        UnaryOperator<Tensor> act = activation(params.getString("activation"));
        Tensor w1 = scope.parameter("fc1.weight", Init.normal(0.02), dFf, dModel);
        Tensor b1 = bias ? scope.parameter("fc1.bias", Init.zeros(), dFf) : null;
        Tensor w2 = scope.parameter("fc2.weight", Init.normal(0.02), dModel, dFf);
        Tensor b2 = bias ? scope.parameter("fc2.bias", Init.zeros(), dModel) : null;
        String site = scope.prefix() + ".hidden";
        return x -> {
            Shapes.requireLast("mlp", x, dModel);
            Tensor h = Shapes.dropout(act.apply(x.linear(w1, b1)), dropout, site);
            return h.linear(w2, b2);
        };
    }

    static UnaryOperator<Tensor> activation(String name) {
        return switch (name) {
            case "relu" -> Tensor::relu;
            case "gelu" -> Tensor::gelu;
            case "gelu-tanh" -> Tensor::geluTanh;
            case "silu" -> Tensor::silu;
            default -> throw new IllegalArgumentException("mlp: activation must be one of " + ACTIVATIONS + ", got \"" + name + "\"");
        };
    }
}
