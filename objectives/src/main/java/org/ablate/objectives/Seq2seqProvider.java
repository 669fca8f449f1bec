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
 * Sequence-to-sequence cross-entropy with teacher forcing for encoder-decoder models: the encoder reads
 * {@code input_ids} under {@code attention_mask}; the decoder reads {@code decoder_input_ids} (the labels
 * shifted right behind the decoder start token) under {@code decoder_attention_mask}, attending to the
 * encoder output with the source padding masked; the LM head's logits are scored against {@code labels},
 * averaged over the labels that are not {@link Batch#IGNORE}, with optional label smoothing (Szegedy et
 * al. 2016, as PyTorch's {@code label_smoothing}). Without {@code decoder_input_ids} in the batch, the
 * objective shifts the labels itself from {@code decoder_start} (IGNORE becomes {@code pad}).
 */
public final class Seq2seqProvider implements ObjectiveProvider {
    @Override public String id() { return "seq2seq"; }

    @Override public String description() { return "teacher-forced cross-entropy of an encoder-decoder model over labelled target positions"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.text("head", "lm_head", "the head whose vocabulary logits are scored"),
                ParamSpec.real("label_smoothing", 0.0, 0.0, true, 1.0, false, "label smoothing ε (Szegedy et al. 2016)"),
                ParamSpec.integer("decoder_start", -1, -1, null,
                        "decoder start token when the batch has no decoder_input_ids; -1 = the batch must have them"),
                ParamSpec.integer("pad", 0, 0, null, "the id written where shifted labels are IGNORE (masked, so any id works)"));
    }

    @Override public Objective create(Params params) {
        String headName = params.getString("head");
        float smoothing = (float) params.getDouble("label_smoothing");
        int start = params.getInt("decoder_start"), pad = params.getInt("pad");
        return (Network net, Batch batch, java.util.random.RandomGenerator random) -> {
            if (!net.hasEncoder() || !net.hasDecoder()) {
                throw new IllegalArgumentException("objective \"seq2seq\" trains encoder-decoder models; this model is "
                        + (net.hasEncoder() ? "encoder-only" : "decoder-only") + " (use next-token for a decoder-only model)");
            }
            Head head = net.head(headName);
            if (head.output() != HeadOutput.TOKEN_LOGITS) {
                throw new IllegalArgumentException("objective \"seq2seq\": head \"" + headName + "\" gives " + head.output()
                        + ", not vocabulary logits; name an lm head with objective.head");
            }
            IntTensor src = batch.get("input_ids"), srcMask = batch.optional("attention_mask"), labels = batch.get("labels");
            IntTensor dec = batch.optional("decoder_input_ids");
            if (dec == null) {
                if (start < 0) {
                    throw new IllegalArgumentException("objective \"seq2seq\": the batch has no decoder_input_ids; set objective.decoder_start "
                            + "so the labels can be shifted right, or use a data source that writes them (parallel-text)");
                }
                dec = shiftRight(labels, start, pad);
            }
            // Without a decoder mask, causal attention alone keeps trailing padding out of every real position.
            IntTensor decMask = batch.optional("decoder_attention_mask");
            Tensor memory = net.encode(src, null, srcMask);
            Tensor logits = head.forward(net.decode(dec, decMask, memory, srcMask), decMask);
            int v = logits.size(-1);
            IntTensor flat = IntTensor.of(labels.data(), labels.numel());
            long counted = 0;
            for (int y : flat.data()) if (y != Batch.IGNORE) counted++;
            if (counted == 0) throw new IllegalArgumentException("objective \"seq2seq\": every label of the batch is IGNORE; nothing to score");
            Tensor loss = Tensor.crossEntropy(logits.reshape(-1, v), flat, Batch.IGNORE, smoothing);
            return new Loss(loss, counted, Map.of());
        };
    }

    /**
     * Teacher forcing's decoder input: {@code [start, y_0, ..., y_{L-2}]} per row, with {@link Batch#IGNORE}
     * labels replaced by {@code pad} (Hugging Face's {@code shift_tokens_right}).
     */
    static IntTensor shiftRight(IntTensor labels, int start, int pad) {
        int rows = labels.size(0), len = labels.size(1);
        int[] y = labels.data(), out = new int[rows * len];
        for (int r = 0; r < rows; r++) {
            out[r * len] = start;
            for (int j = 1; j < len; j++) {
                int v = y[r * len + j - 1];
                out[r * len + j] = v == Batch.IGNORE ? pad : v;
            }
        }
        return IntTensor.of(out, rows, len);
    }
}
