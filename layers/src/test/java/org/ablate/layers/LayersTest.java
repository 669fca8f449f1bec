package org.ablate.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.ComponentKind;
import org.ablate.api.FeedForward;
import org.ablate.api.Norm;
import org.ablate.api.ParameterScope;
import org.ablate.platform.ComponentRegistry;
import org.ablate.api.testing.ConformanceCase;
import org.ablate.api.testing.GradCheck;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayersTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    private static void load(Tensor param, Tensor value) {
        float[] src = value.toArray();
        System.arraycopy(src, 0, param.data(), param.offset(), src.length);
    }

    @Test void everyNormAndFeedForwardIsDiscovered() {
        assertEquals(List.of("layer-norm", "rms-norm"), REGISTRY.ids(ComponentKind.NORM));
        assertEquals(List.of("mlp", "swiglu"), REGISTRY.ids(ComponentKind.FEED_FORWARD));
    }

    @Test void normsMatchPyTorch() {
        for (String op : List.of("layer_norm", "rms_norm")) {
            ConformanceCase c = ConformanceCase.load("op_" + op);
            String id = op.replace('_', '-');
            Tensor x = c.tensor("x").requiresGrad(true);
            int dim = x.size(-1);
            ParameterScope root = ParameterScope.root(0);
            Norm norm = REGISTRY.norm(id).create(dim,
                    REGISTRY.params(ComponentKind.NORM, id, Map.of("eps", c.params().path("eps").asDouble())), root.child("ln"));
            load(root.parameters().get("ln.weight"), c.tensor("weight"));
            if (c.has("bias")) load(root.parameters().get("ln.bias"), c.tensor("bias"));
            Tensor y = norm.forward(x);
            c.assertClose("y", c.tensor("y"), y);
            y.mul(c.tensor("grad_out")).sum().backward();
            c.assertClose("grad_x", c.tensor("grad_x"), x.grad());
            c.assertClose("grad_weight", c.tensor("grad_weight"), root.parameters().get("ln.weight").grad());
            if (c.has("grad_bias")) c.assertClose("grad_bias", c.tensor("grad_bias"), root.parameters().get("ln.bias").grad());
        }
    }

    /** With identity projections and no biases, {@code mlp(x) = act(x)}: each activation against its op case. */
    @Test void mlpActivationsMatchPyTorch() {
        for (String act : MlpProvider.ACTIVATIONS) {
            ConformanceCase c = ConformanceCase.load("op_" + act.replace('-', '_'));
            Tensor x = c.tensor("x").requiresGrad(true);
            int d = x.size(-1);
            ParameterScope root = ParameterScope.root(0);
            FeedForward ff = REGISTRY.feedForward("mlp").create(d, d, false, 0.0,
                    REGISTRY.params(ComponentKind.FEED_FORWARD, "mlp", Map.of("activation", act)), root);
            float[] eye = new float[d * d];
            for (int i = 0; i < d; i++) eye[i * d + i] = 1f;
            load(root.parameters().get("fc1.weight"), Tensor.of(eye, d, d));
            load(root.parameters().get("fc2.weight"), Tensor.of(eye, d, d));
            Tensor y = ff.forward(x);
            c.assertClose("y", c.tensor("y"), y);
            y.mul(c.tensor("grad_out")).sum().backward();
            c.assertClose("grad_x", c.tensor("grad_x"), x.grad());
        }
    }

    /** SwiGLU against the formula evaluated in double precision, element by element. */
    @Test void swigluComputesDownOfSiluGateTimesUp() {
        int d = 4, f = 6;
        ParameterScope root = ParameterScope.root(3);
        FeedForward ff = REGISTRY.feedForward("swiglu").create(d, f, false, 0.0, REGISTRY.params(ComponentKind.FEED_FORWARD, "swiglu", Map.of()), root);
        for (Tensor p : root.parameters().values()) load(p, Tensor.randn(new SplittableRandom(p.numel()), 0.5f, p.shape()));
        Tensor x = Tensor.randn(new SplittableRandom(9), 1f, 2, d);
        float[] g = root.parameters().get("gate_proj.weight").toArray(), u = root.parameters().get("up_proj.weight").toArray();
        float[] w = root.parameters().get("down_proj.weight").toArray(), xs = x.toArray();
        float[] y = ff.forward(x).toArray();
        for (int r = 0; r < 2; r++) {
            double[] h = new double[f];
            for (int j = 0; j < f; j++) {
                double a = 0, b = 0;
                for (int i = 0; i < d; i++) { a += g[j * d + i] * xs[r * d + i]; b += u[j * d + i] * xs[r * d + i]; }
                h[j] = a / (1 + Math.exp(-a)) * b;
            }
            for (int o = 0; o < d; o++) {
                double s = 0;
                for (int j = 0; j < f; j++) s += w[o * f + j] * h[j];
                assertEquals(s, y[r * d + o], 1e-5, "row " + r + " column " + o);
            }
        }
    }

    @Test void gradientsOfEveryPartMatchFiniteDifferences() {
        record Part(String kind, String id, Map<String, ?> params) {}
        for (Part p : List.of(new Part("norm", "layer-norm", Map.of()), new Part("norm", "rms-norm", Map.of()),
                new Part("ff", "mlp", Map.of("activation", "relu")), new Part("ff", "mlp", Map.of("activation", "gelu")),
                new Part("ff", "mlp", Map.of("activation", "gelu-tanh")), new Part("ff", "mlp", Map.of("activation", "silu")),
                new Part("ff", "swiglu", Map.of()))) {
            ParameterScope root = ParameterScope.root(11);
            int d = 5;
            java.util.function.UnaryOperator<Tensor> f;
            if (p.kind().equals("norm")) {
                Norm n = REGISTRY.norm(p.id()).create(d, REGISTRY.params(ComponentKind.NORM, p.id(), p.params()), root);
                f = n::forward;
            } else {
                FeedForward ff = REGISTRY.feedForward(p.id()).create(d, 7, true, 0.0,
                        REGISTRY.params(ComponentKind.FEED_FORWARD, p.id(), p.params()), root);
                f = ff::forward;
            }
            for (Tensor t : root.parameters().values()) load(t, Tensor.randn(new SplittableRandom(t.numel() * 31L), 0.6f, t.shape()));
            Tensor x = Tensor.randn(new SplittableRandom(12), 1f, 2, 3, d).requiresGrad(true);
            Tensor w = Tensor.randn(new SplittableRandom(13), 1f, 2, 3, d);
            Map<String, Tensor> inputs = new LinkedHashMap<>(root.parameters());
            inputs.put("x", x);
            GradCheck.check(p.id() + " " + p.params(), () -> f.apply(x).mul(w).sum(), inputs, 2e-3, 2e-2);
        }
    }

    @Test void badInputIsRefusedNamingTheShape() {
        Norm n = REGISTRY.norm("rms-norm").create(8, REGISTRY.params(ComponentKind.NORM, "rms-norm", Map.of()), ParameterScope.root(0));
        assertEquals("rms-norm: input must be [..., 8], got [2, 4]",
                assertThrows(IllegalArgumentException.class, () -> n.forward(Tensor.zeros(2, 4))).getMessage());
        assertEquals("feed-forward \"mlp\": parameter \"activation\" must be one of relu, gelu, gelu-tanh, silu, got \"swish\"",
                assertThrows(IllegalArgumentException.class,
                        () -> REGISTRY.params(ComponentKind.FEED_FORWARD, "mlp", Map.of("activation", "swish"))).getMessage());
    }
}
