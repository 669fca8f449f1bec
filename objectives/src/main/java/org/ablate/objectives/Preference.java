package org.ablate.objectives;

import org.ablate.tensor.Tensor;

/** Losses on pairs of answers to one prompt, a preferred (chosen) and a dispreferred (rejected) one. */
final class Preference {
    private Preference() {}

    /**
     * Direct preference optimisation (Rafailov et al. 2023; TRL's sigmoid loss):
     * {@code z = β((log π(y_w) − log π(y_l)) − (log π_ref(y_w) − log π_ref(y_l)))}, loss = mean −log σ(z).
     *
     * @param loss            the scalar to minimise, with the graph of the policy's log-probabilities
     * @param chosenRewards   {@code β(log π(y_w) − log π_ref(y_w))} per pair, without graph
     * @param rejectedRewards the same for the rejected answers
     */
    record Dpo(Tensor loss, Tensor chosenRewards, Tensor rejectedRewards) {
        /** Share of pairs whose chosen answer has the larger implicit reward. */
        double accuracy() { return share(chosenRewards, rejectedRewards); }

        double meanMargin() { return chosenRewards.sub(rejectedRewards).mean().item(); }
    }

    /** All four arguments are sequence log-probabilities {@code [B]}; only the policy's carry gradients. */
    static Dpo dpo(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected, double beta) {
        float b = (float) beta;
        Tensor policyRatio = policyChosen.sub(policyRejected);
        Tensor refRatio = refChosen.sub(refRejected);
        Tensor loss = PolicyMath.logSigmoid(policyRatio.sub(refRatio).mul(b)).neg().mean();
        Tensor chosen = policyChosen.detach().sub(refChosen.detach()).mul(b);
        Tensor rejected = policyRejected.detach().sub(refRejected.detach()).mul(b);
        return new Dpo(loss, chosen, rejected);
    }

    /** The Bradley–Terry pairwise loss and the share of pairs ranked right. */
    record Pairwise(Tensor loss, double accuracy) {}

    /**
     * A reward model's pairwise loss (Ouyang et al. 2022): mean −log σ(r_chosen − r_rejected − margin).
     *
     * @param margin {@code [B]}, or {@code null} for none
     */
    static Pairwise pairwise(Tensor rChosen, Tensor rRejected, Tensor margin) {
        Tensor diff = rChosen.sub(rRejected);
        if (margin != null) diff = diff.sub(margin);
        Tensor loss = PolicyMath.logSigmoid(diff).neg().mean();
        return new Pairwise(loss, share(rChosen, rRejected));
    }

    private static double share(Tensor a, Tensor b) {
        float[] x = a.contiguous().toArray(), y = b.contiguous().toArray();
        int n = 0;
        for (int i = 0; i < x.length; i++) if (x[i] > y[i]) n++;
        return x.length == 0 ? 0 : n / (double) x.length;
    }
}
