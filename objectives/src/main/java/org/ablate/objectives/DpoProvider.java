package org.ablate.objectives;

import java.util.List;
import java.util.Map;

import org.ablate.api.ApiVersion;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveContext;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.tensor.Tensor;

/**
 * Direct preference optimisation (Rafailov et al. 2023): −log σ(β[(log π(y_w|x) − log π_ref(y_w|x)) −
 * (log π(y_l|x) − log π_ref(y_l|x))]) with sequence log-probabilities summed over the answer's tokens, against a
 * frozen reference model: the checkpoint {@code reference} names, or by default the weights the run starts
 * from ({@code --from}, usually the SFT model). Reads a pair data source ({@code preference-pairs}); reports
 * the implicit rewards β(log π − log π_ref) of both answers, their margin and how often the chosen one's is
 * larger ({@code accuracy}).
 */
public final class DpoProvider implements ObjectiveProvider {
    @Override public String id() { return "dpo"; }

    @Override public String description() { return "direct preference optimisation against a frozen reference model (Rafailov et al. 2023)"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("beta", 0.1, 0.0, false, null, true, "β: how strongly the policy is held near the reference"),
                ParamSpec.text("reference", "", "the frozen reference checkpoint or run folder; empty: the model the run starts from (--from)"),
                ParamSpec.text("head", "lm_head", "the head whose vocabulary logits give the log-probabilities"));
    }

    @Override public Objective create(Params params) {
        throw new IllegalStateException("objective \"dpo\" needs a frozen reference model, which a run provides; create it with an ObjectiveContext");
    }

    @Override public Objective create(Params params, ObjectiveContext context) {
        double beta = params.getDouble("beta");
        String headName = params.getString("head");
        Network reference = context.frozen("objective.reference", params.getString("reference"));
        return (net, batch, random) -> {
            PairBatch pairs = PairBatch.of(batch);
            String hint = "name an lm head with objective.head";
            Tensor logits = PairBatch.head(net, headName, HeadOutput.TOKEN_LOGITS, id(), hint).forward(pairs.hidden(net, id()), pairs.mask());
            Tensor logps = PolicyMath.sequenceLogProbs(logits, pairs.labels());
            Tensor refLogps;
            try (var g = Tensor.noGrad()) {
                Tensor refLogits = PairBatch.head(reference, headName, HeadOutput.TOKEN_LOGITS, id(), hint).forward(pairs.hidden(reference, id()), pairs.mask());
                refLogps = PolicyMath.sequenceLogProbs(refLogits, pairs.labels());
            }
            Preference.Dpo d = Preference.dpo(pairs.chosen(logps), pairs.rejected(logps), pairs.chosen(refLogps), pairs.rejected(refLogps), beta);
            return new Loss(d.loss(), pairs.pairs(), Map.of("accuracy", d.accuracy(), "reward_margin", d.meanMargin(),
                    "chosen_reward", (double) d.chosenRewards().mean().item(), "rejected_reward", (double) d.rejectedRewards().mean().item()));
        };
    }
}
