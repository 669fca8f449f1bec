package org.ablate.objectives;

import org.ablate.api.Batch;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Network;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * A batch of preference pairs (the {@code chosen_} and {@code rejected_} fields of a pair data source) as one
 * batch of 2B rows, chosen rows first, so that a model scores both answers in one pass.
 *
 * @param pairs B
 */
record PairBatch(int pairs, IntTensor ids, IntTensor mask, IntTensor labels) {
    static PairBatch of(Batch batch) {
        IntTensor cid = batch.get("chosen_input_ids"), rid = batch.get("rejected_input_ids");
        return new PairBatch(cid.size(0), stack(cid, rid), stack(batch.get("chosen_attention_mask"), batch.get("rejected_attention_mask")),
                stack(batch.get("chosen_labels"), batch.get("rejected_labels")));
    }

    /** The hidden states of every row: the decoder's in a decoder-only model, else the encoder's. */
    Tensor hidden(Network net, String objective) {
        if (net.hasDecoder() && !net.hasEncoder()) return net.decode(ids, mask, null, null);
        if (net.hasEncoder() && !net.hasDecoder()) return net.encode(ids, null, mask);
        throw new IllegalArgumentException("objective \"" + objective + "\" scores prompt and answer as one sequence; an encoder-decoder model cannot");
    }

    /** The head called {@code name}, checked to give {@code output}. */
    static Head head(Network net, String name, HeadOutput output, String objective, String hint) {
        Head h = net.head(name);
        if (h.output() != output) {
            throw new IllegalArgumentException("objective \"" + objective + "\": head \"" + name + "\" gives " + h.output() + ", expected " + output + "; " + hint);
        }
        return h;
    }

    /** The first B entries of a {@code [2B, ...]} result. */
    Tensor chosen(Tensor t) { return t.slice(0, 0, pairs); }

    /** The last B entries of a {@code [2B, ...]} result. */
    Tensor rejected(Tensor t) { return t.slice(0, pairs, 2 * pairs); }

    private static IntTensor stack(IntTensor a, IntTensor b) {
        if (a.dim() != 2 || b.dim() != 2 || a.size(0) != b.size(0) || a.size(1) != b.size(1)) {
            throw new IllegalArgumentException("preference batch: chosen " + java.util.Arrays.toString(a.shape()) + " and rejected "
                    + java.util.Arrays.toString(b.shape()) + " rows must have one shape [B, L]");
        }
        int[] out = new int[a.numel() + b.numel()];
        System.arraycopy(a.data(), 0, out, 0, a.numel());
        System.arraycopy(b.data(), 0, out, a.numel(), b.numel());
        return IntTensor.of(out, 2 * a.size(0), a.size(1));
    }
}
