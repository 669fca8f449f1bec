package org.ablate.tensor.optim;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ablate.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum and L2 weight decay, as PyTorch's SGD without dampening:
 * {@code d = g + wd·p; buf = momentum·buf + d (buf = d on the first step); p -= lr·buf} (with momentum 0: p -= lr·d).
 */
public final class Sgd implements Optimizer {
    private final List<Tensor> params;
    private double lr;
    private final double momentum;
    private final double weightDecay;
    /** Momentum buffers; null until a parameter's first update. */
    private final float[][] buffers;
    private final double[] lrMultiplier;
    private final boolean[] decays;

    public Sgd(Collection<Tensor> params, double lr, double momentum, double weightDecay) {
        this(ParamGroup.single(params), lr, momentum, weightDecay);
    }

    /** Parameter groups: each parameter's rate is {@code lr} times its group's multiplier; decay only where the group has it. */
    public Sgd(List<ParamGroup> groups, double lr, double momentum, double weightDecay) {
        if (!(lr >= 0) || !(momentum >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Sgd: lr, momentum and weightDecay must be >= 0, got " + lr + ", " + momentum
                    + ", " + weightDecay);
        }
        this.params = Params.check("Sgd", ParamGroup.flatten(groups));
        this.lrMultiplier = ParamGroup.multipliers(groups);
        this.decays = ParamGroup.decays(groups);
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.buffers = new float[this.params.size()][];
    }

    @Override public void step() {
        float mom = (float) momentum;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            float[] g = Params.grad(p);
            if (g == null) continue;
            float lrF = (float) (lr * lrMultiplier[i]), wd = decays[i] ? (float) weightDecay : 0f;
            float[] w = p.data();
            int off = p.offset();
            boolean first = buffers[i] == null;
            if (momentum != 0 && first) buffers[i] = new float[g.length];
            float[] buf = buffers[i];
            for (int j = 0; j < g.length; j++) {
                float d = g[j] + wd * w[off + j];
                if (momentum != 0) {
                    buf[j] = first ? d : mom * buf[j] + d;
                    d = buf[j];
                }
                w[off + j] -= lrF * d;
            }
        }
    }

    @Override public List<Tensor> parameters() { return params; }
    @Override public double learningRate() { return lr; }
    @Override public void setLearningRate(double lr) { this.lr = lr; }

    @Override public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("lr", Params.encodeDouble(lr));
        for (int i = 0; i < params.size(); i++) {
            if (buffers[i] != null) s.put("momentum." + i, Tensor.of(buffers[i].clone(), params.get(i).shape()));
        }
        return s;
    }

    @Override public void loadState(Map<String, Tensor> state) {
        lr = Params.decodeDouble("Sgd.loadState", state, "lr");
        for (int i = 0; i < params.size(); i++) {
            buffers[i] = state.containsKey("momentum." + i)
                    ? Params.stateTensor("Sgd.loadState", state, "momentum." + i, params.get(i).shape()).toArray()
                    : null;
        }
    }
}
