package org.ablate.heads;

import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/** Ways to turn hidden states {@code [B, L, E]} into one vector per sequence. */
final class Pooling {
    private Pooling() {}

    /** The first position (BERT's [CLS]): {@code [B, E]}. */
    static Tensor first(Tensor hidden) { return hidden.slice(1, 0, 1).squeeze(1); }

    /** The mean over unpadded positions: {@code [B, E]}. */
    static Tensor mean(Tensor hidden, IntTensor padding) {
        if (padding == null) return hidden.mean(1, false);
        Tensor m = mask(padding, hidden.size(1));
        return hidden.mul(m).sum(1, false).div(m.sum(1, false));
    }

    /** The last unpadded position of each row (a reward model's score token): {@code [B, E]}. */
    static Tensor last(Tensor hidden, IntTensor padding) {
        int b = hidden.size(0), l = hidden.size(1);
        float[] pick = Workspace.floats(b * l);
        for (int r = 0; r < b; r++) {
            int lastIndex = l - 1;
            if (padding != null) {
                lastIndex = -1;
                for (int i = 0; i < l; i++) if (padding.get(r, i) != 0) lastIndex = i;
                if (lastIndex < 0) throw new IllegalArgumentException("head: row " + r + " of the batch is all padding");
            }
            pick[r * l + lastIndex] = 1f;
        }
        return hidden.mul(Tensor.of(pick, b, l, 1)).sum(1, false);
    }

    /** {@code [B, L, 1]} with 1 at tokens and 0 at padding. */
    static Tensor mask(IntTensor padding, int l) {
        int b = padding.size(0);
        if (padding.size(1) != l) throw new IllegalArgumentException("head: padding mask is [" + b + ", " + padding.size(1) + "], hidden states have " + l + " positions");
        float[] m = Workspace.floats(b * l);
        for (int r = 0; r < b; r++) for (int i = 0; i < l; i++) m[r * l + i] = padding.get(r, i) != 0 ? 1f : 0f;
        return Tensor.of(m, b, l, 1);
    }
}
