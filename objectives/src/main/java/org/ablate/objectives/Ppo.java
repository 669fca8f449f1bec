package org.ablate.objectives;

import java.util.Arrays;

import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/**
 * Proximal policy optimisation over response tokens (Schulman et al. 2017), as TRL's classic PPOTrainer
 * computes it: KL-shaped per-token rewards, generalised advantage estimation (Schulman et al. 2016),
 * and the clipped policy and value losses. Masks are {@code [B, T]} with 1 on response tokens.
 */
final class Ppo {
    private Ppo() {}

    /**
     * @param loss     {@code pg_loss + vf_coef · vf_loss}, with graph
     * @param pgLoss   the clipped policy loss
     * @param vfLoss   the clipped value loss (already halved)
     * @param approxKl {@code ½ · masked_mean((log π − log π_old)²)}
     * @param clipfrac share of response tokens where the clipped policy term is the larger
     */
    record Losses(Tensor loss, Tensor pgLoss, Tensor vfLoss, double approxKl, double clipfrac) {}

    /**
     * The PPO losses of one minibatch. {@code logprobs} and {@code vpreds} are the current policy's and value
     * head's, with graph; the rest come from the rollout and carry none.
     */
    static Losses losses(Tensor logprobs, Tensor oldLogprobs, Tensor advantages, Tensor vpreds, Tensor values, Tensor returns,
                         Tensor mask, double cliprange, double cliprangeValue, double vfCoef) {
        Tensor ratio = logprobs.sub(oldLogprobs).exp();
        Tensor pg1 = advantages.neg().mul(ratio);
        Tensor pg2 = advantages.neg().mul(PolicyMath.clamp(ratio, Tensor.scalar((float) (1 - cliprange)), Tensor.scalar((float) (1 + cliprange))));
        Tensor pgLoss = PolicyMath.maskedMean(PolicyMath.maximum(pg1, pg2), mask);
        Tensor vClipped = PolicyMath.clamp(vpreds, values.sub((float) cliprangeValue), values.add((float) cliprangeValue));
        Tensor vf1 = vpreds.sub(returns), vf2 = vClipped.sub(returns);
        Tensor vfLoss = PolicyMath.maskedMean(PolicyMath.maximum(vf1.mul(vf1), vf2.mul(vf2)), mask).mul(0.5f);
        Tensor loss = pgLoss.add(vfLoss.mul((float) vfCoef));
        double approxKl, clipfrac;
        try (NoGrad g = Tensor.noGrad()) {
            Tensor d = logprobs.detach().sub(oldLogprobs);
            approxKl = 0.5 * PolicyMath.maskedMean(d.mul(d), mask).item();
            clipfrac = PolicyMath.maskedMean(pg2.detach().gt(pg1.detach()), mask).item();
        }
        return new Losses(loss, pgLoss, vfLoss, approxKl, clipfrac);
    }

    /**
     * What a rollout gives the optimisation epochs, all {@code [B, T]} and without graph.
     *
     * @param rewards    per-token rewards: −kl_coef·(log π − log π_ref) on response tokens, plus the score on the last
     * @param advantages GAE advantages
     * @param returns    advantages + values (the value head's targets)
     * @param whitened   advantages normalised over response tokens (what the policy loss uses)
     */
    record Advantages(Tensor rewards, Tensor advantages, Tensor returns, Tensor whitened) {}

    /**
     * KL-shaped rewards and GAE (TRL's compute_rewards and compute_advantages).
     *
     * @param logprobs    the policy's log-probabilities of the sampled tokens at rollout time, {@code [B, T]}
     * @param refLogprobs the reference model's, {@code [B, T]}
     * @param values      the value head's estimates, {@code [B, T]}
     * @param mask        1 on response tokens (one contiguous run per row), {@code [B, T]}
     * @param score       the reward model's score of each row, {@code [B]}
     */
    static Advantages advantages(Tensor logprobs, Tensor refLogprobs, Tensor values, Tensor mask, Tensor score,
                                 double klCoef, double gamma, double lam) {
        int[] shape = mask.shape();
        if (shape.length != 2) throw new IllegalArgumentException("gae: mask must be [B, T], got " + Arrays.toString(shape));
        for (Tensor t : new Tensor[] {logprobs, refLogprobs, values}) {
            if (!Arrays.equals(t.shape(), shape)) throw new IllegalArgumentException("gae: " + Arrays.toString(t.shape()) + " does not match the mask " + Arrays.toString(shape));
        }
        int b = shape[0], t = shape[1];
        if (score.numel() != b) throw new IllegalArgumentException("gae: " + score.numel() + " scores for " + b + " rows");
        float[] lp = logprobs.contiguous().toArray(), ref = refLogprobs.contiguous().toArray(), v = values.contiguous().toArray(),
                m = mask.contiguous().toArray(), s = score.contiguous().toArray();
        float[] rewards = new float[b * t], adv = new float[b * t], ret = new float[b * t];
        for (int r = 0; r < b; r++) {
            int o = r * t, last = -1;
            for (int i = 0; i < t; i++) {
                rewards[o + i] = (float) (-klCoef * (lp[o + i] - ref[o + i])) * m[o + i];
                v[o + i] *= m[o + i];
                if (m[o + i] != 0) last = i;
            }
            if (last < 0) throw new IllegalArgumentException("gae: row " + r + " has no response token");
            rewards[o + last] += s[r];
            float next = 0, gaeNext = 0;
            for (int i = t - 1; i >= 0; i--) {
                float delta = rewards[o + i] + (float) gamma * next - v[o + i];
                gaeNext = delta + (float) (gamma * lam) * gaeNext;
                adv[o + i] = gaeNext;
                next = v[o + i];
            }
            for (int i = 0; i < t; i++) ret[o + i] = adv[o + i] + v[o + i];
        }
        return new Advantages(Tensor.of(rewards, shape), Tensor.of(adv, shape), Tensor.of(ret, shape), Tensor.of(whiten(adv, m), shape));
    }

    /** (x − masked mean) / sqrt(unbiased masked variance + 1e-8), times the mask. */
    static float[] whiten(float[] x, float[] mask) {
        double n = 0, sum = 0;
        for (int i = 0; i < x.length; i++) { n += mask[i]; sum += x[i] * mask[i]; }
        if (n < 2) throw new IllegalArgumentException("whiten: needs at least 2 response tokens, got " + n);
        double mean = sum / n, sq = 0;
        for (int i = 0; i < x.length; i++) { double d = x[i] - mean; sq += d * d * mask[i]; }
        double var = sq / n * (n / (n - 1));
        double scale = 1 / Math.sqrt(var + 1e-8);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) ((x[i] - mean) * scale) * mask[i];
        return out;
    }
}
