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
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Sequence classification with an encoder-only model: the encoder over {@code input_ids} (with
 * {@code attention_mask} and {@code token_type_ids} when present), a sequence-logits head (the
 * {@code classifier}, pooling the first token or the mean over the mask), and the mean cross-entropy
 * against {@code labels} {@code [B]} (one class id per row; {@link Batch#IGNORE} rows count nowhere).
 * Reports {@code accuracy} over the counted rows.
 */
public final class ClassificationProvider implements ObjectiveProvider {
    @Override public String id() { return "classification"; }

    @Override public String description() { return "sequence classification: cross-entropy of a classifier head over pooled encoder states"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.text("head", "classifier", "the head whose per-sequence logits are scored"),
                ParamSpec.real("label_smoothing", 0.0, 0.0, true, 1.0, false, "label smoothing ε (Szegedy et al. 2016)"));
    }

    @Override public Objective create(Params params) {
        return new Classification(params.getString("head"), (float) params.getDouble("label_smoothing"));
    }

    /** The objective. */
    record Classification(String headName, float smoothing) implements Objective {
        @Override public void check(Network net) {
            NetworkChecks.encoderOnlyWithHead("classification", net, headName, HeadOutput.SEQUENCE_LOGITS,
                    "not per-sequence logits; add a classifier head (model.output_heads: {classifier: {id: classifier, labels: N}})");
        }

        @Override public Loss loss(Network net, Batch batch, RandomGenerator random) {
            check(net);
            IntTensor ids = batch.get("input_ids"), attention = batch.optional("attention_mask"), labels = batch.get("labels");
            if (labels.dim() != 1 || labels.size(0) != ids.size(0)) {
                throw new IllegalArgumentException("\"classification\": labels must be one class id per row, [" + ids.size(0) + "], got "
                        + java.util.Arrays.toString(labels.shape()) + "; use a labelled data source such as labelled-text");
            }
            Tensor logits = net.head(headName).forward(net.encode(ids, batch.optional("token_type_ids"), attention), attention);
            int classes = logits.size(-1);
            long counted = 0;
            for (int y : labels.data()) {
                if (y == Batch.IGNORE) continue;
                if (y < 0 || y >= classes) {
                    throw new IllegalArgumentException("\"classification\": label id " + y + " but head \"" + headName + "\" has " + classes
                            + " classes; make model.output_heads." + headName + ".labels the number of data.labels");
                }
                counted++;
            }
            if (counted == 0) return new Loss(logits.sum().mul(0f), 0, Map.of("accuracy", 0.0));
            Tensor loss = Tensor.crossEntropy(logits, labels, Batch.IGNORE, smoothing);
            int[] pred = logits.argmax(1).data();
            int right = 0;
            for (int i = 0; i < pred.length; i++) if (labels.data()[i] != Batch.IGNORE && pred[i] == labels.data()[i]) right++;
            return new Loss(loss, counted, Map.of("accuracy", right / (double) counted));
        }
    }
}
