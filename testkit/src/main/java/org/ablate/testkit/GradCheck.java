package org.ablate.testkit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.function.Supplier;
import org.ablate.tensor.Tensor;

/**
 * Central finite differences against autograd. The loss is evaluated in float32, so the step is large enough
 * ({@code h = 1e-2}) for rounding to stay well below the truncation error; a gradient passes when
 * {@code |analytic - numeric| <= atol + rtol·|numeric|}.
 */
public final class GradCheck {
    private GradCheck() {}

    /**
     * Checks the gradient of the scalar {@code loss} with respect to every tensor in {@code inputs} (each must
     * require grad and be contiguous), perturbing each element of each input in place and restoring it.
     *
     * @param what names the checked thing in failure messages
     */
    public static void check(String what, Supplier<Tensor> loss, Map<String, Tensor> inputs, double atol, double rtol) {
        for (Tensor t : inputs.values()) t.zeroGrad();
        loss.get().backward();
        double h = 1e-2;
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            Tensor t = e.getValue();
            assertNotNull(t.grad(), what + ": no gradient reached " + e.getKey());
            float[] analytic = t.grad().toArray();
            float[] data = t.data();
            int off = t.offset();
            for (int i = 0; i < t.numel(); i++) {
                float orig = data[off + i];
                double plus, minus;
                try (var g = Tensor.noGrad()) {
                    data[off + i] = (float) (orig + h);
                    plus = loss.get().item();
                    data[off + i] = (float) (orig - h);
                    minus = loss.get().item();
                } finally {
                    data[off + i] = orig;
                }
                double numeric = (plus - minus) / (2 * h);
                if (Math.abs(analytic[i] - numeric) > atol + rtol * Math.abs(numeric)) {
                    fail(what + ": d loss / d " + e.getKey() + "[" + i + "] = " + analytic[i] + " by autograd, "
                            + numeric + " by central differences");
                }
            }
        }
    }
}
