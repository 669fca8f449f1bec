package org.ablate.encodings;

import org.ablate.tensor.CustomOp;
import org.ablate.tensor.OpContext;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * RoPE's {@code x·cos + rotate_half(x)·sin} as one op with its own backward, {@code g·cos − rotate_half(g·sin)}.
 * Written as engine ops (a slice, a negation, a concatenation, two products and a sum) it made five full-size
 * tensors per call and copied the strided query/key views twice; it was the largest single allocator of a
 * training step. Each element is computed with the same two products and one sum as that composition, so the
 * results are the same bit for bit.
 */
final class RopeRotation extends CustomOp {
    private final float[] cos, sin; // [max, dh] row-major
    private final int offset, dh;

    RopeRotation(float[] cos, float[] sin, int offset, int dh) {
        super("rope");
        this.cos = cos;
        this.sin = sin;
        this.offset = offset;
        this.dh = dh;
    }

    @Override protected Tensor forward(OpContext ctx, Tensor... in) {
        Tensor x = in[0].contiguous();
        int[] shape = x.shape();
        int len = shape[2], half = dh / 2, rows = x.numel() / dh;
        float[] a = x.data(), out = Workspace.floats(x.numel());
        int base = x.offset();
        for (int r = 0; r < rows; r++) {
            int o = r * dh, xo = base + o, t = (offset + r % len) * dh;
            for (int i = 0; i < half; i++) {
                out[o + i] = a[xo + i] * cos[t + i] + (-a[xo + i + half]) * sin[t + i];
                out[o + i + half] = a[xo + i + half] * cos[t + i + half] + a[xo + i] * sin[t + i + half];
            }
        }
        return Tensor.of(out, shape);
    }

    @Override protected Tensor[] backward(OpContext ctx, Tensor g) {
        if (!ctx.needsInputGrad(0)) return new Tensor[] {null};
        int[] shape = g.shape();
        int len = shape[2], half = dh / 2, rows = g.numel() / dh;
        float[] d = g.data(), dx = Workspace.floats(g.numel());
        for (int r = 0; r < rows; r++) {
            int o = r * dh, t = (offset + r % len) * dh;
            for (int i = 0; i < half; i++) {
                dx[o + i] = d[o + i] * cos[t + i] + d[o + i + half] * sin[t + i + half];
                dx[o + i + half] = d[o + i + half] * cos[t + i + half] + (-(d[o + i] * sin[t + i]));
            }
        }
        return new Tensor[] {Tensor.of(dx, shape)};
    }
}
