package org.ablate.models.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.ablate.tensor.Tensor;

/**
 * How Hugging Face tensors correspond to Ablate parameters, both ways. An entry is one HF tensor made
 * of one or more Ablate tensors stacked along the rows (GPT-2's fused {@code c_attn} holds q, k and v),
 * optionally transposed (GPT-2's Conv1D stores {@code [in, out]}) and reshaped (Marian's
 * {@code final_logits_bias} is {@code [1, V]}) or interleaved by head (GPT-NeoX's {@code query_key_value} holds,
 * per head, that head's q, k and v rows).
 */
public final class WeightMap {
    /**
     * @param hf         the HF name
     * @param ours       the Ablate names, in row order
     * @param transposed the HF tensor is the transpose of the stacked Ablate ones
     * @param hfShape    the HF shape when it differs from the (transposed) stack by a reshape only, else {@code null}
     * @param groups     0 when the Ablate tensors are stacked whole; else the head count: the HF rows hold, head
     *                   by head, that head's rows of each Ablate tensor in turn
     */
    public record Entry(String hf, List<String> ours, boolean transposed, int[] hfShape, int groups) {}

    private final List<Entry> entries = new ArrayList<>();

    public WeightMap same(String hf, String ours) { entries.add(new Entry(hf, List.of(ours), false, null, 0)); return this; }

    public WeightMap transposed(String hf, String ours) { entries.add(new Entry(hf, List.of(ours), true, null, 0)); return this; }

    public WeightMap fused(String hf, boolean transposed, String... ours) { entries.add(new Entry(hf, List.of(ours), transposed, null, 0)); return this; }

    public WeightMap reshaped(String hf, String ours, int... hfShape) { entries.add(new Entry(hf, List.of(ours), false, hfShape, 0)); return this; }

    /** One HF tensor holding, for each of {@code heads} heads, that head's rows of each of {@code ours} in turn. */
    public WeightMap interleaved(String hf, int heads, String... ours) { entries.add(new Entry(hf, List.of(ours), false, null, heads)); return this; }

    public List<Entry> entries() { return entries; }

    /** The HF tensor of {@code e} built from Ablate tensors (weights or their gradients). */
    public static Tensor toHf(Entry e, Function<String, Tensor> ours) {
        List<Tensor> parts = new ArrayList<>();
        for (String n : e.ours()) parts.add(ours.apply(n).detach());
        if (e.groups() > 0) return interleave(parts, e.groups());
        Tensor t = parts.size() == 1 ? parts.get(0) : Tensor.concat(parts, 0);
        if (e.transposed()) t = t.transpose(0, 1);
        if (e.hfShape() != null) t = t.reshape(e.hfShape());
        return t.contiguous();
    }

    /** Splits the HF tensor of {@code e} into its Ablate tensors, each with the row count {@code rows} gives. */
    public static List<Tensor> fromHf(Entry e, Tensor hf, Function<String, int[]> ourShape) {
        if (e.groups() > 0) return deinterleave(e, hf, ourShape);
        Tensor t = hf;
        if (e.hfShape() != null) t = t.reshape(ourShape.apply(e.ours().get(0)));
        if (e.transposed()) t = t.transpose(0, 1);
        List<Tensor> out = new ArrayList<>();
        int row = 0;
        for (String n : e.ours()) {
            int[] shape = ourShape.apply(n);
            int rows = shape[0];
            out.add((e.ours().size() == 1 ? t : t.slice(0, row, row + rows)).contiguous());
            row += rows;
        }
        return out;
    }

    /** [g·r_i, rest] tensors as one [g·Σr_i, rest] whose rows go head by head, each head's rows of every part in turn. */
    private static Tensor interleave(List<Tensor> parts, int g) {
        List<Tensor> grouped = new ArrayList<>();
        for (Tensor p : parts) grouped.add(p.reshape(withRows(p.shape(), g, p.shape()[0] / g)));
        Tensor t = Tensor.concat(grouped, 1);
        int[] s = parts.get(0).shape().clone();
        s[0] = 0;
        for (Tensor p : parts) s[0] += p.shape()[0];
        return t.contiguous().reshape(s).contiguous();
    }

    private static List<Tensor> deinterleave(Entry e, Tensor hf, Function<String, int[]> ourShape) {
        int g = e.groups();
        int[] s = hf.shape();
        if (s[0] % g != 0) throw new IllegalArgumentException("\"" + e.hf() + "\" has " + s[0] + " rows, not a multiple of " + g + " heads");
        Tensor t = hf.reshape(withRows(s, g, s[0] / g));
        List<Tensor> out = new ArrayList<>();
        int row = 0;
        for (String n : e.ours()) {
            int[] shape = ourShape.apply(n);
            int per = shape[0] / g;
            out.add(t.slice(1, row, row + per).contiguous().reshape(shape).contiguous());
            row += per;
        }
        return out;
    }

    /** {@code shape} with its first dimension split into {@code [a, b]}. */
    private static int[] withRows(int[] shape, int a, int b) {
        int[] out = new int[shape.length + 1];
        out[0] = a;
        out[1] = b;
        System.arraycopy(shape, 1, out, 2, shape.length - 1);
        return out;
    }
}
