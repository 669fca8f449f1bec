package org.ablate.objectives;

import java.util.Arrays;

import org.ablate.api.Batch;
import org.ablate.tensor.CustomOp;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.OpContext;
import org.ablate.tensor.Tensor;

/**
 * The differentiable pieces the preference objectives share: log-probabilities of labelled tokens and a
 * numerically stable log-sigmoid. Built on the tensor engine's autograd, so every loss made from them has
 * its gradient.
 */
final class PolicyMath {
    private PolicyMath() {}

    private static final CustomOp LOG_SIGMOID = new LogSigmoid();

    /**
     * {@code log_softmax(logits[b, t])[labels[b, t]]} at every labelled position, 0 where the label is
     * {@link Batch#IGNORE}: {@code [B, T]}. Labels are aligned with the logits (position t predicts labels[t]).
     */
    static Tensor tokenLogProbs(Tensor logits, IntTensor labels) {
        int[] ls = logits.shape();
        if (ls.length != 3 || labels.dim() != 2 || ls[0] != labels.size(0) || ls[1] != labels.size(1)) {
            throw new IllegalArgumentException("log-probabilities: logits " + Arrays.toString(ls) + " and labels "
                    + Arrays.toString(labels.shape()) + " do not match; expected [B, T, V] and [B, T]");
        }
        int v = ls[2];
        int[] y = labels.data();
        float[] pick = new float[y.length * v];
        for (int i = 0; i < y.length; i++) {
            if (y[i] == Batch.IGNORE) continue;
            if (y[i] < 0 || y[i] >= v) throw new IllegalArgumentException("log-probabilities: label " + y[i] + " at position " + i + " is outside the vocabulary of " + v);
            pick[i * v + y[i]] = 1f;
        }
        return logits.logSoftmax(-1).mul(Tensor.of(pick, ls)).sum(2, false);
    }

    /** The sum of {@link #tokenLogProbs} over each row: {@code log p(y | x)} of the labelled tokens, {@code [B]}. */
    static Tensor sequenceLogProbs(Tensor logits, IntTensor labels) {
        return tokenLogProbs(logits, labels).sum(1, false);
    }

    /** {@code log σ(x)} elementwise, exact for large |x| (no overflow of exp) and with gradient {@code σ(-x)}. */
    static Tensor logSigmoid(Tensor x) { return LOG_SIGMOID.apply(x); }

    /** Σ x·mask / Σ mask. */
    static Tensor maskedMean(Tensor x, Tensor mask) { return x.mul(mask).sum().div(mask.sum()); }

    /** {@code x} clamped into {@code [lo, hi]} elementwise; the gradient passes where x is inside (bounds included), as torch.clamp's. */
    static Tensor clamp(Tensor x, Tensor lo, Tensor hi) {
        return Tensor.where(x.lt(lo), lo, Tensor.where(x.gt(hi), hi, x));
    }

    /** The elementwise maximum; on a tie each side gets half the gradient, as torch.maximum. */
    static Tensor maximum(Tensor a, Tensor b) {
        return Tensor.where(a.gt(b), a, Tensor.where(a.lt(b), b, a.add(b).mul(0.5f)));
    }

    /** log σ(x) = min(x, 0) − log(1 + e^{−|x|}); d/dx = σ(−x). */
    private static final class LogSigmoid extends CustomOp {
        LogSigmoid() { super("log-sigmoid"); }

        @Override protected Tensor forward(OpContext ctx, Tensor... in) {
            float[] x = in[0].contiguous().toArray();
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) out[i] = (float) (Math.min(x[i], 0.0) - Math.log1p(Math.exp(-Math.abs((double) x[i]))));
            ctx.saveForBackward(in[0]);
            return Tensor.of(out, in[0].shape());
        }

        @Override protected Tensor[] backward(OpContext ctx, Tensor grad) {
            float[] x = ctx.saved(0).contiguous().toArray(), g = grad.data();
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) out[i] = (float) (g[i] / (1.0 + Math.exp(x[i])));
            return new Tensor[] {Tensor.of(out, ctx.saved(0).shape())};
        }
    }
}
