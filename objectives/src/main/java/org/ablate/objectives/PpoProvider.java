package org.ablate.objectives;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.ablate.api.ApiVersion;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveContext;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.metrics.LexiconJudge;

/**
 * PPO with a KL penalty against a frozen reference (Ouyang et al. 2022; TRL's classic PPOTrainer and its
 * defaults): responses sampled from the policy for a batch of prompts, per-token rewards
 * −kl_coef·(log π − log π_ref) plus the reward model's score on the last response token, GAE, then
 * {@code ppo_epochs} passes of clipped policy and value losses over the rollout, one optimizer step per
 * minibatch (each trainer step is one minibatch; a new rollout starts when the last one is used up). The
 * policy needs a value head ({@code output_heads: {value: {id: scalar, at: every}}}); the reward model is a
 * checkpoint with a scalar head. Held-out evaluation samples responses to the held-out prompts and reports
 * −(score − kl_coef·KL) as its loss; with {@code judge} (a sentiment lexicon) the lexicon's score of the responses is
 * logged beside it, for rollouts and held out, and with {@code reward: judge} that score is the reward itself (no
 * reward model: a rule in place of a learned reward, to tell a weak reward model from a weak optimiser).
 */
public final class PpoProvider implements ObjectiveProvider {
    @Override public String id() { return "ppo"; }

    @Override public String description() { return "PPO with a KL penalty to a frozen reference, against a reward model (Ouyang et al. 2022)"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.text("reward_model", "", "the reward model's checkpoint or run folder (needed unless reward is judge)"),
                ParamSpec.choice("reward", "model", List.of("model", "judge"), "what scores a response: the reward model, or the judge's "
                        + "lexicon itself (objective.judge; a rule in place of a learned reward)"),
                ParamSpec.text("reward_head", "score", "the reward model's scalar head"),
                ParamSpec.text("reference", "", "the frozen reference checkpoint or run folder; empty: the model the run starts from (--from)"),
                ParamSpec.text("head", "lm_head", "the policy's head of vocabulary logits"),
                ParamSpec.text("value_head", "value", "the policy's value head (a scalar head at every position)"),
                ParamSpec.real("kl_coef", 0.05, 0.0, true, null, true, "β of the per-token KL penalty (initial value when adaptive)"),
                ParamSpec.bool("adaptive_kl", false, "adapt kl_coef towards kl_target (Ziegler et al. 2019)"),
                ParamSpec.real("kl_target", 6.0, 0.0, false, null, true, "the KL the adaptive controller aims at"),
                ParamSpec.integer("kl_horizon", 10000, 1, null, "the adaptive controller's horizon, in rollout rows"),
                ParamSpec.real("gamma", 1.0, 0.0, true, 1.0, true, "discount"),
                ParamSpec.real("lam", 0.95, 0.0, true, 1.0, true, "GAE's λ"),
                ParamSpec.real("cliprange", 0.2, 0.0, false, 1.0, false, "policy ratio clip"),
                ParamSpec.real("cliprange_value", 0.2, 0.0, false, null, true, "value clip around the rollout's values"),
                ParamSpec.real("vf_coef", 0.1, 0.0, true, null, true, "weight of the value loss"),
                ParamSpec.integer("ppo_epochs", 4, 1, null, "optimisation passes over each rollout"),
                ParamSpec.integer("minibatches", 1, 1, null, "minibatches per pass (each one optimizer step)"),
                ParamSpec.integer("max_new_tokens", 32, 1, null, "longest sampled response (prompt + response must fit the model's positions)"),
                ParamSpec.real("temperature", 1.0, 0.0, false, null, true, "sampling temperature of rollouts"),
                ParamSpec.text("judge", "", "a sentiment lexicon (JSON word -> valence, as AFINN-165) whose score of the responses is logged as "
                        + "\"judge\"; empty: none"));
    }

    @Override public Objective create(Params params) {
        throw new IllegalStateException("objective \"ppo\" needs frozen reference and reward models, which a run provides; create it with an ObjectiveContext");
    }

    @Override public Objective create(Params params, ObjectiveContext context) {
        LexiconJudge judge = null;
        String lexicon = params.getString("judge");
        if (!lexicon.isBlank()) {
            try {
                judge = LexiconJudge.load(Path.of(lexicon));
            } catch (IOException e) {
                throw new IllegalArgumentException("objective.judge: " + e.getMessage(), e);
            }
        }
        boolean byJudge = params.getString("reward").equals("judge");
        if (!byJudge && params.getString("reward_model").isBlank()) {
            throw new IllegalArgumentException("objective.reward_model: name the reward model's checkpoint or run folder (or set objective.reward: judge)");
        }
        if (byJudge && judge == null) throw new IllegalArgumentException("objective.reward: \"judge\" scores responses with objective.judge; name a lexicon file there");
        return new PpoObjective(params, context.frozen("objective.reference", params.getString("reference")),
                byJudge ? null : context.frozen("objective.reward_model", params.getString("reward_model")), context.tokenizer(), judge);
    }
}
