package org.ablate.tensor.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    /** Loss Σ c_j·p_j⁴/4 + Σ p_j: gradient c·p³ + 1, non-linear so the trajectory depends on every formula term. */
    private static void lossBackward(Tensor p, Tensor c) {
        p.pow(4f).mul(c).div(4f).sum().add(p.sum()).backward();
    }

    private static double gradOf(double p, double c) { return c * p * p * p + 1; }

    @Test
    void adamWFollowsTheFormulaInDoublePrecision() {
        float[] init = {0.5f, -1.2f, 2.0f, 0.01f};
        float[] cs = {1f, 0.3f, -0.7f, 5f};
        Tensor p = Tensor.of(init.clone(), 4).requiresGrad(true);
        Tensor c = Tensor.of(cs, 4);
        double lr = 0.05, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1;
        AdamW opt = new AdamW(List.of(p), lr, b1, b2, eps, wd);
        double[] ref = new double[4], m = new double[4], v = new double[4];
        for (int j = 0; j < 4; j++) ref[j] = init[j];
        for (int t = 1; t <= 6; t++) {
            opt.zeroGrad();
            lossBackward(p, c);
            opt.step();
            for (int j = 0; j < 4; j++) {
                double g = gradOf(ref[j], cs[j]);
                ref[j] -= lr * wd * ref[j];
                m[j] = b1 * m[j] + (1 - b1) * g;
                v[j] = b2 * v[j] + (1 - b2) * g * g;
                double mh = m[j] / (1 - Math.pow(b1, t)), vh = v[j] / (1 - Math.pow(b2, t));
                ref[j] -= lr * mh / (Math.sqrt(vh) + eps);
            }
            float[] got = p.toArray();
            for (int j = 0; j < 4; j++) assertEquals(ref[j], got[j], 1e-5 * (1 + Math.abs(ref[j])), "step " + t + " element " + j);
        }
        assertEquals(6, opt.steps());
    }

    @Test
    void adamWVectorisedPathFollowsTheFormula() {
        int n = 101; // several SIMD vectors plus a scalar tail
        SplittableRandom r = new SplittableRandom(5);
        Tensor p = Tensor.randn(r, 1f, n).requiresGrad(true);
        Tensor c = Tensor.randn(r, 1f, n);
        float[] cs = c.toArray();
        double[] ref = new double[n], m = new double[n], v = new double[n];
        float[] init = p.toArray();
        for (int j = 0; j < n; j++) ref[j] = init[j];
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
        AdamW opt = new AdamW(List.of(p));
        for (int t = 1; t <= 5; t++) {
            opt.zeroGrad();
            lossBackward(p, c);
            opt.setLearningRate(lr);
            opt.step();
            for (int j = 0; j < n; j++) {
                double g = gradOf(ref[j], cs[j]);
                ref[j] -= lr * wd * ref[j];
                m[j] = b1 * m[j] + (1 - b1) * g;
                v[j] = b2 * v[j] + (1 - b2) * g * g;
                ref[j] -= lr * (m[j] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[j] / (1 - Math.pow(b2, t))) + eps);
            }
        }
        float[] got = p.toArray();
        for (int j = 0; j < n; j++) assertEquals(ref[j], got[j], 2e-5 * (1 + Math.abs(ref[j])), "element " + j);
    }

    @Test
    void adamWDefaultsAreTorchDefaults() {
        Tensor p = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
        AdamW opt = new AdamW(List.of(p));
        assertEquals(1e-3, opt.learningRate());
        p.mul(3f).sum().backward();
        opt.step();
        // first step: m̂ = g, v̂ = g², so p = p·(1 - lr·wd) - lr·g/(|g| + eps)
        double expect = 1.0 * (1 - 1e-3 * 1e-2) - 1e-3 * 3 / (3 + 1e-8);
        assertEquals(expect, p.item(), 1e-7);
    }

    @Test
    void adamWStateRestoreWithSameHyperParametersIsBitIdentical() {
        SplittableRandom r = new SplittableRandom(11);
        Tensor c = Tensor.randn(r, 1f, 4, 3);
        Tensor a = Tensor.randn(r, 1f, 4, 3).requiresGrad(true);
        AdamW optA = new AdamW(List.of(a), 0.02, 0.9, 0.99, 1e-8, 0.1);
        for (int i = 0; i < 3; i++) {
            optA.zeroGrad();
            lossBackward(a, c);
            optA.step();
        }
        Map<String, Tensor> saved = optA.state();
        Tensor b = Tensor.of(a.toArray(), 4, 3).requiresGrad(true);
        AdamW optB = new AdamW(List.of(b), 0.02, 0.9, 0.99, 1e-8, 0.1);
        optB.loadState(saved);
        for (int i = 0; i < 4; i++) {
            optA.zeroGrad();
            lossBackward(a, c);
            optA.step();
            optB.zeroGrad();
            lossBackward(b, c);
            optB.step();
        }
        assertArrayEquals(a.toArray(), b.toArray());
    }

    @Test
    void sgdMomentumAndWeightDecayFollowTheFormula() {
        float[] init = {1f, -2f, 0.5f};
        float[] cs = {0.5f, 0.1f, 2f};
        Tensor p = Tensor.of(init.clone(), 3).requiresGrad(true);
        Tensor c = Tensor.of(cs, 3);
        double lr = 0.1, mom = 0.9, wd = 0.01;
        Sgd opt = new Sgd(List.of(p), lr, mom, wd);
        double[] ref = {1, -2, 0.5}, buf = new double[3];
        for (int t = 0; t < 5; t++) {
            opt.zeroGrad();
            lossBackward(p, c);
            opt.step();
            for (int j = 0; j < 3; j++) {
                double d = gradOf(ref[j], cs[j]) + wd * ref[j];
                buf[j] = t == 0 ? d : mom * buf[j] + d;
                ref[j] -= lr * buf[j];
                assertEquals(ref[j], p.toArray()[j], 1e-5 * (1 + Math.abs(ref[j])), "step " + t + " element " + j);
            }
        }
    }

    @Test
    void sgdStateRestoreContinuesIdentically() {
        Tensor c = Tensor.of(new float[] {0.5f, 0.25f}, 2);
        Tensor a = Tensor.of(new float[] {1f, -1f}, 2).requiresGrad(true);
        Sgd optA = new Sgd(List.of(a), 0.05, 0.9, 0.0);
        for (int i = 0; i < 2; i++) {
            optA.zeroGrad();
            lossBackward(a, c);
            optA.step();
        }
        Tensor b = Tensor.of(a.toArray(), 2).requiresGrad(true);
        Sgd optB = new Sgd(List.of(b), 0.05, 0.9, 0.0);
        optB.loadState(optA.state());
        for (int i = 0; i < 3; i++) {
            optA.zeroGrad();
            lossBackward(a, c);
            optA.step();
            optB.zeroGrad();
            lossBackward(b, c);
            optB.step();
        }
        assertArrayEquals(a.toArray(), b.toArray());
    }

    @Test
    void clipGlobalNormScalesOnlyAboveTheLimit() {
        Tensor a = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {2f}, 1).requiresGrad(true);
        a.mul(Tensor.of(new float[] {3f, 0f}, 2)).sum().add(b.mul(4f).sum()).backward();
        double norm = GradClip.clipGlobalNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-6);
        assertEquals(3f / 5f, a.grad().get(0), 1e-5);
        assertEquals(4f / 5f, b.grad().get(0), 1e-5);
        double again = GradClip.clipGlobalNorm(List.of(a, b), 10.0);
        assertEquals(1.0, again, 1e-5);
        assertEquals(3f / 5f, a.grad().get(0), 1e-5);
        Tensor none = Tensor.zeros(2).requiresGrad(true);
        assertNull(none.grad());
        assertEquals(0.0, GradClip.clipGlobalNorm(List.of(none), 1.0));
    }

    @Test
    void warmupCosineSchedule() {
        WarmupCosine s = new WarmupCosine(1.0, 0.1, 4, 14);
        assertEquals(0.25, s.lr(0), 1e-12);
        assertEquals(1.0, s.lr(3), 1e-12);
        assertEquals(1.0, s.lr(4), 1e-12);
        assertEquals(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.5)), s.lr(9), 1e-12);
        assertEquals(0.1, s.lr(14), 1e-12);
        assertEquals(0.1, s.lr(100), 1e-12);
        for (int i = 4; i < 14; i++) assertEquals(true, s.lr(i + 1) <= s.lr(i), "monotone decay at " + i);
        Sgd opt = new Sgd(List.of(Tensor.zeros(1)), 0.0, 0, 0);
        assertEquals(0.5, s.apply(opt, 1), 1e-12);
        assertEquals(0.5, opt.learningRate(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1, 0, 5, 3));
    }
}
