package org.ablate.models.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.ablate.tensor.Tensor;

/**
 * How Hugging Face tensors correspond to Ablate parameters, both ways. An entry is one HF tensor made
 * of one or more Ablate tensors stacked along the rows (GPT-2's fused {@code c_attn} holds q, k and v),
 * optionally transposed (GPT-2's Conv1D stores {@code [in, out]}) and reshaped (Marian's
 * {@code final_logits_bias} is {@code [1, V]}).
 */
public final class WeightMap {
    /**
     * @param hf         the HF name
     * @param ours       the Ablate names, in row order
     * @param transposed the HF tensor is the transpose of the stacked Ablate ones
     * @param hfShape    the HF shape when it differs from the (transposed) stack by a reshape only, else {@code null}
     */
    public record Entry(String hf, List<String> ours, boolean transposed, int[] hfShape) {}

    private final List<Entry> entries = new ArrayList<>();

    public WeightMap same(String hf, String ours) { entries.add(new Entry(hf, List.of(ours), false, null)); return this; }

    public WeightMap transposed(String hf, String ours) { entries.add(new Entry(hf, List.of(ours), true, null)); return this; }

    public WeightMap fused(String hf, boolean transposed, String... ours) { entries.add(new Entry(hf, List.of(ours), transposed, null)); return this; }

    public WeightMap reshaped(String hf, String ours, int... hfShape) { entries.add(new Entry(hf, List.of(ours), false, hfShape)); return this; }

    public List<Entry> entries() { return entries; }

    /** The HF tensor of {@code e} built from Ablate tensors (weights or their gradients). */
    public static Tensor toHf(Entry e, Function<String, Tensor> ours) {
        List<Tensor> parts = new ArrayList<>();
        for (String n : e.ours()) parts.add(ours.apply(n).detach());
        Tensor t = parts.size() == 1 ? parts.get(0) : Tensor.concat(parts, 0);
        if (e.transposed()) t = t.transpose(0, 1);
        if (e.hfShape() != null) t = t.reshape(e.hfShape());
        return t.contiguous();
    }

    /** Splits the HF tensor of {@code e} into its Ablate tensors, each with the row count {@code rows} gives. */
    public static List<Tensor> fromHf(Entry e, Tensor hf, Function<String, int[]> ourShape) {
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
}
