package org.ablate.objectives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.ablate.api.Batch;
import org.ablate.api.testing.GradCheck;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

class PolicyMathTest {
    /** Exact in the tails where log(sigmoid(x)) would under- or overflow, and σ(−x) as the gradient, 0 included. */
    @Test void logSigmoidIsStableAndHasTheRightGradient() {
        Tensor x = Tensor.of(new float[] {-200f, -3f, 0f, 2.5f, 200f}, 5).requiresGrad(true);
        Tensor y = PolicyMath.logSigmoid(x);
        float[] v = y.toArray();
        assertEquals(-200.0, v[0], 1e-4);
        assertEquals(-Math.log1p(Math.exp(3)), v[1], 1e-6);
        assertEquals(-Math.log(2), v[2], 1e-7);
        assertEquals(0.0, v[4], 0.0);
        y.sum().backward();
        float[] g = x.grad().toArray();
        assertEquals(1.0, g[0], 0.0);
        assertEquals(0.5, g[2], 0.0); // z = 0 happens at the first DPO step, where policy = reference
        assertEquals(0.0, g[4], 1e-30);
        Tensor w = Tensor.of(new float[] {-1.3f, 0.2f, 0.9f}, 3).requiresGrad(true);
        GradCheck.check("log-sigmoid", () -> PolicyMath.logSigmoid(w).mul(Tensor.of(new float[] {1f, -2f, 0.5f}, 3)).sum(), Map.of("x", w), 1e-3, 1e-2);
    }

    @Test void tokenLogProbsPickTheLabelAndSkipIgnored() {
        float[] logits = {1f, 2f, 3f, 0f, 0f, 0f};
        Tensor l = Tensor.of(logits, 1, 2, 3);
        Tensor lp = PolicyMath.tokenLogProbs(l, IntTensor.of(new int[] {2, Batch.IGNORE}, 1, 2));
        double z = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertArrayEquals(new float[] {(float) (3 - z), 0f}, lp.toArray(), 1e-6f);
    }

    /** Ties split the gradient as torch.maximum does; clamp passes it inside its bounds only. */
    @Test void maximumAndClampGradients() {
        Tensor a = Tensor.of(new float[] {1f, 2f, 3f}, 3).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {2f, 2f, 1f}, 3).requiresGrad(true);
        PolicyMath.maximum(a, b).sum().backward();
        assertArrayEquals(new float[] {0f, 0.5f, 1f}, a.grad().toArray());
        assertArrayEquals(new float[] {1f, 0.5f, 0f}, b.grad().toArray());
        Tensor x = Tensor.of(new float[] {0.5f, 0.8f, 1.1f, 1.3f}, 4).requiresGrad(true);
        Tensor c = PolicyMath.clamp(x, Tensor.scalar(0.8f), Tensor.scalar(1.2f));
        assertArrayEquals(new float[] {0.8f, 0.8f, 1.1f, 1.2f}, c.toArray());
        c.sum().backward();
        assertArrayEquals(new float[] {0f, 1f, 1f, 0f}, x.grad().toArray());
    }
}
