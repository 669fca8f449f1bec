package org.ablate.objectives;

import java.util.List;
import java.util.Map;
import org.ablate.api.ApiVersion;
import org.ablate.api.Batch;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Next-token prediction for decoder-only models: the mean cross-entropy of the LM head's logits at
 * {@code input_ids} against {@code labels} (the inputs shifted by one), over every label that is not
 * {@link Batch#IGNORE}, so padding and masked-out prompt tokens count nowhere. Reads {@code input_ids},
 * {@code labels} and, when present, {@code attention_mask}.
 */
public final class NextTokenProvider implements ObjectiveProvider {
    @Override public String id() { return "next-token"; }

    @Override public String description() { return "next-token cross-entropy over labelled positions (causal language modelling)"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.text("head", "lm_head", "the head whose vocabulary logits are scored"),
                ParamSpec.real("label_smoothing", 0.0, 0.0, true, 1.0, false, "label smoothing ε (Szegedy et al. 2016)"));
    }

    @Override public Objective create(Params params) {
        String headName = params.getString("head");
        float smoothing = (float) params.getDouble("label_smoothing");
        return (Network net, Batch batch, java.util.random.RandomGenerator random) -> {
            if (!net.hasDecoder() || net.hasEncoder()) {
                throw new IllegalArgumentException("objective \"next-token\" trains decoder-only models; this model "
                        + (net.hasEncoder() && net.hasDecoder() ? "is encoder-decoder" : "has no decoder"));
            }
            Head head = net.head(headName);
            if (head.output() != HeadOutput.TOKEN_LOGITS) {
                throw new IllegalArgumentException("objective \"next-token\": head \"" + headName + "\" gives " + head.output()
                        + ", not vocabulary logits; name an lm head with objective.head");
            }
            IntTensor ids = batch.get("input_ids"), labels = batch.get("labels"), mask = batch.optional("attention_mask");
            Tensor logits = head.forward(net.decode(ids, mask, null, null), mask);
            int v = logits.size(-1);
            IntTensor flat = IntTensor.of(labels.data(), labels.numel());
            long counted = 0;
            for (int y : flat.data()) if (y != Batch.IGNORE) counted++;
            Tensor loss = Tensor.crossEntropy(logits.reshape(-1, v), flat, Batch.IGNORE, smoothing);
            return new Loss(loss, counted, Map.of());
        };
    }
}
