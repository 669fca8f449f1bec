package org.ablate.objectives;

import java.io.IOException;
import java.util.List;

import org.ablate.api.ConformanceCase;
import org.ablate.api.ConformanceKind;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/**
 * Checks conformance cases of kind {@code objective} (the post-training losses, computed by PyTorch) with
 * the same code the objectives train with, gradients included. {@code params.objective} picks the loss:
 * {@code dpo}, {@code reward_pairwise}, {@code ppo} or {@code gae}.
 */
public final class ObjectiveConformance implements ConformanceKind {
    static final List<String> OBJECTIVES = List.of("dpo", "reward_pairwise", "ppo", "gae");

    @Override public String kind() { return "objective"; }

    @Override public void check(ConformanceCase c) throws IOException {
        String objective = c.param("objective", "");
        switch (objective) {
            case "dpo" -> dpo(c);
            case "reward_pairwise" -> pairwise(c);
            case "ppo" -> ppo(c);
            case "gae" -> gae(c);
            default -> throw new IllegalArgumentException(c.folder().resolve("case.json") + ": params.objective is \"" + objective
                    + "\"; expected one of " + String.join(", ", OBJECTIVES));
        }
    }

    private static void dpo(ConformanceCase c) throws IOException {
        Tensor policyChosen = c.tensor("policy_chosen_logits").contiguous().requiresGrad(true);
        Tensor policyRejected = c.tensor("policy_rejected_logits").contiguous().requiresGrad(true);
        IntTensor chosenLabels = c.ints("chosen_labels"), rejectedLabels = c.ints("rejected_labels");
        Tensor pc = PolicyMath.sequenceLogProbs(policyChosen, chosenLabels);
        Tensor pr = PolicyMath.sequenceLogProbs(policyRejected, rejectedLabels);
        Tensor rc, rr;
        try (NoGrad g = Tensor.noGrad()) {
            rc = PolicyMath.sequenceLogProbs(c.tensor("ref_chosen_logits"), chosenLabels);
            rr = PolicyMath.sequenceLogProbs(c.tensor("ref_rejected_logits"), rejectedLabels);
        }
        Preference.Dpo d = Preference.dpo(pc, pr, rc, rr, c.param("beta", 0.1));
        d.loss().backward();
        c.close("policy_chosen_logps", c.tensor("policy_chosen_logps"), pc.detach());
        c.close("policy_rejected_logps", c.tensor("policy_rejected_logps"), pr.detach());
        c.close("ref_chosen_logps", c.tensor("ref_chosen_logps"), rc);
        c.close("ref_rejected_logps", c.tensor("ref_rejected_logps"), rr);
        c.close("loss", c.tensor("loss").item(), d.loss().item());
        c.close("chosen_rewards", c.tensor("chosen_rewards"), d.chosenRewards());
        c.close("rejected_rewards", c.tensor("rejected_rewards"), d.rejectedRewards());
        c.close("grad_policy_chosen_logits", c.tensor("grad_policy_chosen_logits"), policyChosen.grad());
        c.close("grad_policy_rejected_logits", c.tensor("grad_policy_rejected_logits"), policyRejected.grad());
    }

    private static void pairwise(ConformanceCase c) throws IOException {
        Tensor chosen = c.tensor("r_chosen").contiguous().requiresGrad(true);
        Tensor rejected = c.tensor("r_rejected").contiguous().requiresGrad(true);
        Tensor margin = c.has("margin") ? c.tensor("margin") : null;
        Preference.Pairwise p = Preference.pairwise(chosen, rejected, margin);
        p.loss().backward();
        c.close("loss", c.tensor("loss").item(), p.loss().item());
        c.close("accuracy", c.tensor("accuracy").item(), p.accuracy());
        c.close("grad_r_chosen", c.tensor("grad_r_chosen"), chosen.grad());
        c.close("grad_r_rejected", c.tensor("grad_r_rejected"), rejected.grad());
    }

    private static void ppo(ConformanceCase c) throws IOException {
        Tensor logprobs = c.tensor("logprobs").contiguous().requiresGrad(true);
        Tensor vpreds = c.tensor("vpreds").contiguous().requiresGrad(true);
        Ppo.Losses l = Ppo.losses(logprobs, c.tensor("old_logprobs"), c.tensor("advantages"), vpreds, c.tensor("values"),
                c.tensor("returns"), c.tensor("mask"), c.param("cliprange", 0.2), c.param("cliprange_value", 0.2), c.param("vf_coef", 0.1));
        l.loss().backward();
        c.close("pg_loss", c.tensor("pg_loss").item(), l.pgLoss().item());
        c.close("vf_loss", c.tensor("vf_loss").item(), l.vfLoss().item());
        c.close("loss", c.tensor("loss").item(), l.loss().item());
        c.close("approx_kl", c.tensor("approx_kl").item(), l.approxKl());
        c.close("clipfrac", c.tensor("clipfrac").item(), l.clipfrac());
        c.close("grad_logprobs", c.tensor("grad_logprobs"), logprobs.grad());
        c.close("grad_vpreds", c.tensor("grad_vpreds"), vpreds.grad());
    }

    private static void gae(ConformanceCase c) throws IOException {
        Ppo.Advantages a = Ppo.advantages(c.tensor("logprobs"), c.tensor("ref_logprobs"), c.tensor("values"), c.tensor("mask"),
                c.tensor("score"), c.param("kl_coef", 0.05), c.param("gamma", 1.0), c.param("lam", 0.95));
        c.close("rewards", c.tensor("rewards"), a.rewards());
        c.close("advantages", c.tensor("advantages"), a.advantages());
        c.close("returns", c.tensor("returns"), a.returns());
        c.close("advantages_whitened", c.tensor("advantages_whitened"), a.whitened());
    }
}
