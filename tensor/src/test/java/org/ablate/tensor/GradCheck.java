package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Central finite-difference gradient check. The output is reduced to a scalar with fixed random weights,
 * L = Σ out·w (accumulated in double), so every output element contributes. Each input element is perturbed by
 * ±h and ±h/2 and the two central differences are combined by Richardson extrapolation, (4·D(h/2) − D(h))/3,
 * whose truncation error is O(h⁴): with h = 2e-2 float round-off (about 1e-7·|L|/h) dominates, so the tolerance
 * |numeric − analytic| ≤ 1e-3 + 5e-3·|analytic| has ample room while any wrong gradient term breaks it.
 */
final class GradCheck {
    static final double H = 2e-2;
    static final double ATOL = 1e-3;
    static final double RTOL = 5e-3;

    private GradCheck() {}

    /** Checks the gradient of {@code f} with respect to every input (each must be a fresh contiguous leaf). */
    static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor t : inputs) {
            assertTrue(t.isContiguous() && t.offset() == 0 && t.data().length == t.numel(), name + ": inputs must be dense leaves");
            t.zeroGrad();
            t.requiresGrad(true);
        }
        Tensor out = f.apply(inputs);
        SplittableRandom r = new SplittableRandom(name.hashCode());
        float[] w = new float[out.numel()];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        out.mul(Tensor.of(w, out.shape())).sum().backward();
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            float[] ana = in.grad() == null ? new float[in.numel()] : in.grad().toArray();
            float[] x = in.data();
            for (int j = 0; j < x.length; j++) {
                float orig = x[j];
                double d1 = central(f, inputs, w, x, j, orig, H);
                double d2 = central(f, inputs, w, x, j, orig, H / 2);
                x[j] = orig;
                double num = (4 * d2 - d1) / 3;
                double tol = ATOL + RTOL * Math.abs(ana[j]);
                if (!(Math.abs(num - ana[j]) <= tol)) {
                    fail(name + ": d/d input" + k + "[" + j + "] analytic " + ana[j] + " vs numeric " + num + " (tolerance " + tol + ")");
                }
            }
        }
    }

    private static double central(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] w, float[] x, int j, float orig, double h) {
        x[j] = (float) (orig + h);
        double up = loss(f, inputs, w);
        x[j] = (float) (orig - h);
        double down = loss(f, inputs, w);
        // divide by the step actually taken after rounding to float
        return (up - down) / ((double) (float) (orig + h) - (double) (float) (orig - h));
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] w) {
        try (NoGrad g = Tensor.noGrad()) {
            float[] y = f.apply(inputs).toArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += (double) y[i] * w[i];
            return s;
        }
    }

    static Tensor randn(long seed, int... shape) { return Tensor.randn(new SplittableRandom(seed), 1f, shape); }

    /** Values spread away from 0 and from each other (for relu, abs, max, where kinks would spoil differences). */
    static Tensor spread(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < d.length; i++) d[i] = (0.3f + 0.25f * i) * (r.nextBoolean() ? 1 : -1);
        for (int i = d.length - 1; i > 0; i--) {
            int k = r.nextInt(i + 1);
            float tmp = d[i];
            d[i] = d[k];
            d[k] = tmp;
        }
        return t;
    }

    static Tensor positive(long seed, int... shape) {
        Tensor t = randn(seed, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = 0.5f + Math.abs(d[i]);
        return t;
    }
}
