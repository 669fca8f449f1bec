package org.ablate.objectives;

import java.util.List;
import java.util.Map;

import org.ablate.api.ApiVersion;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.tensor.Tensor;

/**
 * A reward model's pairwise loss (Bradley–Terry; Ouyang et al. 2022): −log σ(r_chosen − r_rejected − margin),
 * where r is a scalar head's score of prompt + answer at its last token. Reads the {@code chosen_} and
 * {@code rejected_} fields of a pair data source ({@code preference-pairs}); reports the share of pairs
 * ranked right as {@code accuracy}.
 */
public final class RewardPairwiseProvider implements ObjectiveProvider {
    @Override public String id() { return "reward-pairwise"; }

    @Override public String description() { return "reward model: pairwise loss -log sigmoid(r_chosen - r_rejected - margin) (Ouyang et al. 2022)"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.text("head", "score", "the scalar head that scores a sequence (model.output_heads: {score: {id: scalar}})"),
                ParamSpec.real("margin", 0.0, null, true, null, true, "how far the chosen answer's reward must exceed the rejected one's"));
    }

    @Override public Objective create(Params params) {
        String headName = params.getString("head");
        Tensor margin = Tensor.scalar((float) params.getDouble("margin"));
        return (net, batch, random) -> {
            PairBatch pairs = PairBatch.of(batch);
            Tensor r = PairBatch.head(net, headName, HeadOutput.SEQUENCE_SCALAR, id(), "give the model a scalar head, e.g. output_heads: {"
                    + headName + ": {id: scalar}}").forward(pairs.hidden(net, id()), pairs.mask());
            Tensor chosen = pairs.chosen(r), rejected = pairs.rejected(r);
            Preference.Pairwise p = Preference.pairwise(chosen, rejected, margin.expand(pairs.pairs()));
            double gap = chosen.detach().sub(rejected.detach()).mean().item();
            return new Loss(p.loss(), pairs.pairs(), Map.of("accuracy", p.accuracy(), "reward_margin", gap));
        };
    }
}
