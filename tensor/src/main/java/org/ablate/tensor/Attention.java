package org.ablate.tensor;

import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.broadcastShape;
import static org.ablate.tensor.Layout.forEachTask;
import static org.ablate.tensor.Layout.gather;
import static org.ablate.tensor.Layout.sumTo;

import java.util.Arrays;
import org.ablate.tensor.kernels.Attend;
import org.ablate.tensor.kernels.Kernels;

/** Fused scaled dot-product attention, forward and backward, with causal and key-padding masks and a score bias. */
final class Attention {
    private static final Kernels K = Kernels.ACTIVE;

    private Attention() {}

    static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor scoreBias, boolean causal,
                                            IntTensor keyPadding, float scale, Tensor[] probsOut) {
        if (q.shape.length != 4 || k.shape.length != 4 || v.shape.length != 4 || q.shape[0] != k.shape[0]
                || q.shape[1] != k.shape[1] || k.shape[0] != v.shape[0] || k.shape[1] != v.shape[1]
                || q.shape[3] != k.shape[3] || k.shape[2] != v.shape[2]) {
            throw new IllegalArgumentException("scaledDotProductAttention: shapes q " + Arrays.toString(q.shape) + ", k "
                    + Arrays.toString(k.shape) + ", v " + Arrays.toString(v.shape)
                    + " do not fit (expected q [B,H,Lq,D], k [B,H,Lk,D], v [B,H,Lk,Dv])");
        }
        int bsz = q.shape[0], h = q.shape[1], lq = q.shape[2], d = q.shape[3], lk = k.shape[2], dv = v.shape[3];
        if (keyPadding != null && (keyPadding.dim() != 2 || keyPadding.size(0) != bsz || keyPadding.size(1) != lk)) {
            throw new IllegalArgumentException("scaledDotProductAttention: keyPadding shape " + Arrays.toString(keyPadding.shape())
                    + " does not fit (expected [" + bsz + ", " + lk + "])");
        }
        int[] ps = {bsz, h, lq, lk};
        float[] bias = null;
        if (scoreBias != null) {
            int[] bs = broadcastShape("scaledDotProductAttention", scoreBias.shape, ps);
            if (!Arrays.equals(bs, ps)) {
                throw new IllegalArgumentException("scaledDotProductAttention: scoreBias shape " + Arrays.toString(scoreBias.shape)
                        + " does not broadcast to " + Arrays.toString(ps));
            }
            bias = gather(scoreBias, ps);
        }
        // read q, k, v in place (a KV cache hands over strided views of a longer buffer): no per-step copies
        Attend at = new Attend(rows(q), rows(k), rows(v), bsz, h, lq, lk, d, dv, bias, causal,
                keyPadding == null ? null : keyPadding.data(), scale);
        // Without a causal mask (and with keys) every row of probs and out is written whole, so their arrays need no
        // zeroing first; a causal mask leaves blocks that see no key to the zeros.
        boolean whole = !causal && lk > 0;
        float[] probs = whole ? Workspace.floatsToFill(bsz * h * lq * lk) : Workspace.floats(bsz * h * lq * lk);
        float[] out = whole ? Workspace.floatsToFill(bsz * h * lq * dv) : Workspace.floats(bsz * h * lq * dv);
        // (batch, head) pairs are independent: each task writes only its own rows of probs and out
        forEachTask(bsz * h, bh -> K.attentionForward(at, bh, probs, out));
        if (probsOut != null && probsOut.length > 0) probsOut[0] = Tensor.of(probs.clone(), ps);
        int[] qs = q.shape.clone(), ks = k.shape.clone(), vs = v.shape.clone();
        int[] biasShape = scoreBias == null ? null : scoreBias.shape;
        return result("scaledDotProductAttention", out, new int[] {bsz, h, lq, dv}, g -> {
            float[] go = g.dense();
            float[] gq = Workspace.floats(bsz * h * lq * d), gk = Workspace.floats(bsz * h * lk * d), gv = Workspace.floats(bsz * h * lk * dv);
            float[] gs = biasShape == null ? null : Workspace.floats(probs.length);
            // per (batch, head) task: gradients of q, k, v rows of that pair only
            forEachTask(bsz * h, bh -> K.attentionBackward(at, bh, probs, go, gq, gk, gv, gs));
            return new Tensor[] {Tensor.of(gq, qs), Tensor.of(gk, ks), Tensor.of(gv, vs),
                    gs == null ? null : sumTo(Tensor.of(gs, ps), biasShape)};
        }, q, k, v, scoreBias);
    }

    /**
     * {@code t} [B,H,L,D] addressed in place: row j of pair bh at {@code base[bh] + j*rowStride}, its D elements
     * contiguous. An operand whose last dim is strided is copied to row-major first.
     */
    private static Attend.Rows rows(Tensor t) {
        int b = t.shape[0], h = t.shape[1], l = t.shape[2], d = t.shape[3];
        int[] base = new int[b * h];
        if (d > 1 && t.strides[3] != 1) {
            for (int bh = 0; bh < base.length; bh++) base[bh] = bh * l * d;
            return new Attend.Rows(t.dense(), base, d);
        }
        for (int bh = 0; bh < base.length; bh++) base[bh] = t.offset + (bh / h) * t.strides[0] + (bh % h) * t.strides[1];
        return new Attend.Rows(t.data(), base, t.strides[2]);
    }
}
