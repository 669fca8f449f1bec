package org.ablate.tensor;

import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.innerSize;
import static org.ablate.tensor.Layout.outerSize;
import static org.ablate.tensor.Layout.removeDim;
import static org.ablate.tensor.Layout.rows;

import java.util.Arrays;

/** Reductions, forward and backward: {@code sum}, {@code mean}, {@code max} along a dim, and {@code argmax}. */
final class Reductions {
    private Reductions() {}

    static Tensor sum(Tensor self) {
        float[] x = self.dense();
        double s = 0;
        for (float v : x) s += v;
        int[] old = self.shape;
        return result("sum", new float[] {(float) s}, new int[0], g -> new Tensor[] {filled(g.item(), old)}, self);
    }

    /** The gradient of a full sum: {@code v} everywhere. */
    private static Tensor filled(float v, int[] shape) {
        Tensor t = Tensor.scratch(shape);
        if (v != 0f) Arrays.fill(t.data(), v);
        return t;
    }

    static Tensor sum(Tensor self, int dim, boolean keepdim) {
        int d = self.axis("sum", dim);
        int[] shape = self.shape;
        int n = shape[d], inner = innerSize(self, d), outer = outerSize(self, d);
        float[] x = self.dense();
        float[] out = Workspace.floats(outer * inner);
        rows(outer, n * inner, (r0, r1) -> {
            for (int o = r0; o < r1; o++) {
                int base = o * n * inner;
                for (int k = 0; k < n; k++) {
                    int row = base + k * inner;
                    for (int i = 0; i < inner; i++) out[o * inner + i] += x[row + i];
                }
            }
        });
        int[] keep = shape.clone();
        keep[d] = 1;
        return result("sum", out, keepdim ? keep : removeDim(shape, d),
                g -> new Tensor[] {g.reshape(keep).expand(shape).contiguous()}, self);
    }

    static Tensor max(Tensor self, int dim, boolean keepdim) {
        int d = self.axis("max", dim);
        int[] shape = self.shape;
        int n = shape[d];
        if (n == 0) throw new IllegalArgumentException("max: dim " + dim + " of shape " + Arrays.toString(shape) + " is empty");
        int inner = innerSize(self, d), outer = outerSize(self, d);
        float[] x = self.dense();
        float[] out = Workspace.floats(outer * inner);
        int[] arg = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                float m = x[o * n * inner + i];
                for (int k = 1; k < n; k++) {
                    float v = x[(o * n + k) * inner + i];
                    if (v > m || (Float.isNaN(v) && !Float.isNaN(m))) {
                        m = v;
                        best = k;
                    }
                }
                out[o * inner + i] = m;
                arg[o * inner + i] = best;
            }
        }
        int[] keep = shape.clone();
        keep[d] = 1;
        return result("max", out, keepdim ? keep : removeDim(shape, d), g -> {
            float[] gd = g.dense();
            float[] gx = Workspace.floats(outer * n * inner);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) gx[(o * n + arg[o * inner + i]) * inner + i] += gd[o * inner + i];
            }
            return new Tensor[] {Tensor.of(gx, shape)};
        }, self);
    }

    static IntTensor argmax(Tensor self, int dim) {
        int d = self.axis("argmax", dim);
        int n = self.shape[d];
        if (n == 0) throw new IllegalArgumentException("argmax: dim " + dim + " of shape " + Arrays.toString(self.shape) + " is empty");
        int inner = innerSize(self, d), outer = outerSize(self, d);
        float[] x = self.dense();
        int[] out = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                float m = x[o * n * inner + i];
                for (int k = 1; k < n; k++) {
                    float v = x[(o * n + k) * inner + i];
                    if (v > m) {
                        m = v;
                        best = k;
                    }
                }
                out[o * inner + i] = best;
            }
        }
        return IntTensor.of(out, removeDim(self.shape, d));
    }
}
