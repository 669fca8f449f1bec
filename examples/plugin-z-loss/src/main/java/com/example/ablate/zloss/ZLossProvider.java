package com.example.ablate.zloss;

import java.util.List;
import java.util.Map;
import org.ablate.api.ApiVersion;
import org.ablate.api.Batch;
import org.ablate.api.Loss;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Next-token cross-entropy plus {@code weight · mean(log Z)²}, where Z is each position's softmax normaliser
 * (Chowdhery et al. 2022, PaLM §5): keeps the logits from drifting, which helps low-precision training.
 * Reports the mean log Z as the metric {@code log_z}.
 */
public final class ZLossProvider implements ObjectiveProvider {
    @Override public String id() { return "z-loss"; }
    @Override public String description() { return "next-token cross-entropy plus weight * mean(log Z)^2 (PaLM's z-loss)"; }
    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
    @Override public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.real("weight", 1e-4, 0.0, true, null, false, "weight of the squared log-normaliser"),
                ParamSpec.text("head", "lm_head", "the output head giving token logits"));
    }

    @Override public Objective create(Params params) {
        float weight = (float) params.getDouble("weight");
        String head = params.getString("head");
        return (net, batch, random) -> {
            IntTensor ids = batch.get("input_ids"), labels = batch.get("labels");
            Tensor logits = net.head(head).forward(net.decode(ids, batch.optional("attention_mask"), null, null), null);
            int v = logits.size(-1);
            Tensor ce = Tensor.crossEntropy(logits.reshape(-1, v), IntTensor.of(labels.data(), labels.numel()), Batch.IGNORE, 0f);
            // log Z = x_i − log softmax(x)_i for every i; the mean over i is that, stably, with softmax as its gradient.
            Tensor logZ = logits.sub(logits.logSoftmax(-1)).mean(-1, false);
            Tensor loss = ce.add(logZ.mul(logZ).mean().mul(weight));
            long counted = 0;
            for (int l : labels.data()) if (l != Batch.IGNORE) counted++;
            return new Loss(loss, counted, Map.of("log_z", (double) logZ.mean().item()));
        };
    }
}
