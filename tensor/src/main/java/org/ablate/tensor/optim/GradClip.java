package org.ablate.tensor.optim;

import java.util.Collection;
import org.ablate.tensor.Tensor;

/** Gradient clipping by the global L2 norm over many parameters, as PyTorch's {@code clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when the global norm exceeds {@code maxNorm}.
     * Parameters without a gradient are skipped.
     *
     * @return the global L2 norm of the gradients before clipping
     */
    public static double clipGlobalNorm(Collection<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be > 0, got " + maxNorm);
        double sq = 0;
        for (Tensor p : params) {
            float[] g = Params.grad(p);
            if (g == null) continue;
            for (float x : g) sq += (double) x * x;
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                float[] d = g.toArray();
                for (int i = 0; i < d.length; i++) d[i] *= c;
                p.setGrad(Tensor.of(d, g.shape()));
            }
        }
        return norm;
    }
}
