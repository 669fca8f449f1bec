package org.ablate.objectives;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.ablate.api.ApiVersion;
import org.ablate.api.Batch;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.SpecialTokens;
import org.ablate.api.ObjectiveContext;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Masked language modelling for encoder-only models (Devlin et al. 2019): each step corrupts
 * {@code input_ids} as {@link Masking} describes, with the generator the trainer passes, runs the encoder
 * over the corrupted ids (with {@code attention_mask} and {@code token_type_ids} when the batch has them),
 * and scores the masked-LM head's logits at the chosen positions only: the hidden states of the other
 * positions never reach the head, so they add exactly nothing to the loss or its gradient. Any
 * {@code labels} the data source wrote are replaced. Reports {@code accuracy}: the share of chosen
 * positions whose arg-max is the original token (masked-token accuracy).
 */
public final class MaskedLmProvider implements ObjectiveProvider {
    @Override public String id() { return "masked-lm"; }

    @Override public String description() {
        return "masked language modelling: 15% of tokens chosen, 80/10/10 mask/random/keep, loss on chosen positions (Devlin et al. 2019)";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.text("head", "mlm_head", "the head whose vocabulary logits are scored"),
                ParamSpec.real("probability", 0.15, 0.0, false, 1.0, true, "share of eligible tokens chosen for prediction"),
                ParamSpec.real("mask_fraction", 0.8, 0.0, true, 1.0, true, "share of chosen tokens replaced by the mask token"),
                ParamSpec.real("random_fraction", 0.1, 0.0, true, 1.0, true, "share of chosen tokens replaced by a random token (the rest stay)"));
    }

    @Override public Objective create(Params params) {
        throw new IllegalArgumentException("objective \"masked-lm\" needs the run's tokenizer (its mask token and vocabulary)");
    }

    @Override public Objective create(Params params, ObjectiveContext context) { return create(params, context.tokenizer()); }

    /** The objective for a run whose tokenizer is {@code tokenizer} (its mask token and vocabulary). */
    public Objective create(Params params, Tokenizer tokenizer) {
        double mask = params.getDouble("mask_fraction"), random = params.getDouble("random_fraction");
        if (mask + random > 1 + 1e-12) {
            throw new IllegalArgumentException("objective \"masked-lm\": mask_fraction + random_fraction is " + (mask + random) + ", more than 1");
        }
        SpecialTokens sp = tokenizer.specialTokens();
        if (!sp.has(sp.mask())) {
            throw new IllegalArgumentException("objective \"masked-lm\" needs a tokenizer with a mask token; this one has none"
                    + " (use tokenizer {id: char, mask_token: true}, or a BERT WordPiece tokenizer)");
        }
        Masking masking = new Masking(params.getDouble("probability"), mask, random, sp.mask(), tokenizer.vocabSize(), Masking.specialIds(sp));
        return new MaskedLm(params.getString("head"), masking);
    }

    /** The objective, with its corruption rule. */
    record MaskedLm(String headName, Masking masking) implements Objective {
        @Override public void check(Network net) {
            NetworkChecks.encoderOnlyWithHead("masked-lm", net, headName, HeadOutput.TOKEN_LOGITS,
                    "not vocabulary logits; name a masked-lm head with objective.head");
        }

        @Override public Loss loss(Network net, Batch batch, RandomGenerator random) {
            check(net);
            IntTensor ids = batch.get("input_ids"), attention = batch.optional("attention_mask");
            Masking.Masked m = masking.apply(ids.data(), attention == null ? null : attention.data(), random);
            Tensor hidden = net.encode(IntTensor.of(m.inputs(), ids.shape()), batch.optional("token_type_ids"), attention);
            int e = hidden.size(-1);
            if (m.chosen() == 0) {
                // Nothing to predict in this batch: a zero loss that still reaches the graph, counted as no item.
                return new Loss(hidden.sum().mul(0f), 0, Map.of("accuracy", 0.0));
            }
            int[] at = new int[m.chosen()], target = new int[m.chosen()];
            int[] labels = m.labels();
            for (int i = 0, k = 0; i < labels.length; i++) {
                if (labels[i] != Batch.IGNORE) { at[k] = i; target[k++] = labels[i]; }
            }
            // Gather the chosen rows before the head, so unchosen positions have no logits at all.
            Tensor picked = Tensor.embedding(hidden.reshape(-1, e), IntTensor.of(at, 1, at.length));
            Tensor logits = net.head(headName).forward(picked, null);
            Tensor flat = logits.reshape(at.length, logits.size(-1));
            IntTensor y = IntTensor.of(target, target.length);
            Tensor loss = Tensor.crossEntropy(flat, y, Batch.IGNORE, 0f);
            int[] pred = flat.argmax(1).data();
            int right = 0;
            for (int k = 0; k < pred.length; k++) if (pred[k] == target[k]) right++;
            return new Loss(loss, at.length, Map.of("accuracy", right / (double) at.length));
        }
    }
}
