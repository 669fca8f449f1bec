package org.ablate.tensor.optim;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.kernels.Parallel;

/**
 * AdamW (Loshchilov and Hutter) as PyTorch's {@code torch.optim.AdamW}: decoupled weight decay
 * {@code p -= lr·wd·p}, then {@code m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)}. Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
 * weight decay 1e-2. The step count t is shared by all parameters.
 */
public final class AdamW implements Optimizer {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private final List<Tensor> params;
    private double lr;
    private final double beta1, beta2, eps, weightDecay;
    private final float[][] m, v;
    private final double[] lrMultiplier;
    private final boolean[] decays;
    private long t;

    /** PyTorch defaults. */
    public AdamW(Collection<Tensor> params) { this(params, 1e-3, 0.9, 0.999, 1e-8, 1e-2); }

    /** PyTorch defaults apart from the learning rate and weight decay. */
    public AdamW(Collection<Tensor> params, double lr, double weightDecay) { this(params, lr, 0.9, 0.999, 1e-8, weightDecay); }

    public AdamW(Collection<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(ParamGroup.single(params), lr, beta1, beta2, eps, weightDecay);
    }

    /** Parameter groups: each parameter's rate is {@code lr} times its group's multiplier; decay only where the group has it. */
    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamW: invalid hyper-parameters lr=" + lr + ", betas=(" + beta1 + ", " + beta2
                    + "), eps=" + eps + ", weightDecay=" + weightDecay + " (expected lr, eps, wd >= 0 and betas in [0, 1))");
        }
        this.params = Params.check("AdamW", ParamGroup.flatten(groups));
        this.lrMultiplier = ParamGroup.multipliers(groups);
        this.decays = ParamGroup.decays(groups);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[this.params.size()][];
        this.v = new float[this.params.size()][];
    }

    @Override public void step() {
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), e = (float) eps;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            float[] g = Params.grad(p);
            if (g == null) continue;
            double groupLr = lr * lrMultiplier[i];
            float stepSize = (float) (groupLr / bc1);
            float decay = (float) (1 - groupLr * (decays[i] ? weightDecay : 0));
            if (m[i] == null) {
                m[i] = new float[g.length];
                v[i] = new float[g.length];
            }
            float[] w = p.data(), mi = m[i], vi = v[i];
            int off = p.offset();
            Parallel.parallelRange(g.length, 1 << 15, (from, to) -> {
                int j = from;
                int bound = from + S.loopBound(to - from);
                for (; j < bound; j += S.length()) {
                    FloatVector gj = FloatVector.fromArray(S, g, j);
                    FloatVector mj = FloatVector.fromArray(S, mi, j).mul(b1).add(gj.mul(c1));
                    FloatVector vj = FloatVector.fromArray(S, vi, j).mul(b2).add(gj.mul(gj).mul(c2));
                    mj.intoArray(mi, j);
                    vj.intoArray(vi, j);
                    FloatVector denom = vj.sqrt().mul(invSqrtBc2).add(e);
                    FloatVector.fromArray(S, w, off + j).mul(decay).sub(mj.mul(stepSize).div(denom)).intoArray(w, off + j);
                }
                for (; j < to; j++) {
                    float gj = g[j];
                    float mj = b1 * mi[j] + c1 * gj;
                    float vj = b2 * vi[j] + c2 * (gj * gj);
                    mi[j] = mj;
                    vi[j] = vj;
                    w[off + j] = w[off + j] * decay - (mj * stepSize) / ((float) Math.sqrt(vj) * invSqrtBc2 + e);
                }
            });
        }
    }

    /** Number of steps taken. */
    public long steps() { return t; }

    @Override public List<Tensor> parameters() { return params; }
    @Override public double learningRate() { return lr; }
    @Override public void setLearningRate(double lr) { this.lr = lr; }

    /** Keys: {@code step} and {@code lr} (each encoded exactly as three 22-bit integers in a [3] tensor), {@code exp_avg.i} and {@code exp_avg_sq.i} per parameter index. */
    @Override public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("step", Params.encodeLong(t));
        s.put("lr", Params.encodeDouble(lr));
        for (int i = 0; i < params.size(); i++) {
            if (m[i] == null) continue;
            s.put("exp_avg." + i, Tensor.of(m[i].clone(), params.get(i).shape()));
            s.put("exp_avg_sq." + i, Tensor.of(v[i].clone(), params.get(i).shape()));
        }
        return s;
    }

    @Override public void loadState(Map<String, Tensor> state) {
        t = Params.decodeLong("AdamW.loadState", state, "step");
        lr = Params.decodeDouble("AdamW.loadState", state, "lr");
        for (int i = 0; i < params.size(); i++) {
            if (state.containsKey("exp_avg." + i)) {
                int[] shape = params.get(i).shape();
                m[i] = Params.stateTensor("AdamW.loadState", state, "exp_avg." + i, shape).toArray();
                v[i] = Params.stateTensor("AdamW.loadState", state, "exp_avg_sq." + i, shape).toArray();
            } else {
                m[i] = null;
                v[i] = null;
            }
        }
    }
}
