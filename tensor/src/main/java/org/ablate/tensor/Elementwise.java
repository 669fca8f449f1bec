package org.ablate.tensor;

import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.broadcastShape;
import static org.ablate.tensor.Layout.gather;
import static org.ablate.tensor.Layout.rowMajor;
import static org.ablate.tensor.Layout.sumTo;

import java.util.Arrays;
import org.ablate.tensor.kernels.Kernels;
import org.ablate.tensor.kernels.Parallel;

/**
 * Elementwise ops, forward and backward: the broadcasting binary arithmetic, scalar arithmetic, unary maps and
 * activations, comparisons (no gradient), {@code where} and {@code maskedFill}.
 */
final class Elementwise {
    private static final Kernels K = Kernels.ACTIVE;

    private Elementwise() {}

    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;
    static final int GT = 0, LT = 1, GE = 2, LE = 3, EQ = 4;
    private static final String[] BINARY_NAMES = {"add", "sub", "mul", "div"};

    @FunctionalInterface
    interface F1 { float apply(float x); }

    /** Derivative of an elementwise function, given input x and output y. */
    @FunctionalInterface
    interface D1 { float apply(float x, float y); }

    @FunctionalInterface
    interface RangeKernel { void apply(float[] x, float[] out, int from, int to); }

    @FunctionalInterface
    interface RangeGradKernel { void apply(float[] x, float[] g, float[] gx, int from, int to); }

    static Tensor binary(Tensor self, Tensor o, int kind) {
        String op = BINARY_NAMES[kind];
        int[] s = broadcastShape(op, self.shape, o.shape);
        float[] a = gather(self, s), b = gather(o, s);
        float[] out = Workspace.floatsToFill(a.length);
        Parallel.parallelRange(out.length, 1 << 15, (from, to) -> K.binary(kind, a, b, out, from, to));
        int[] sa = self.shape, sb = o.shape;
        // each backward keeps only the arrays it reads, so add/sub graphs hold no copies of their inputs
        Autograd.Backward fn = switch (kind) {
            case ADD -> g -> new Tensor[] {sumTo(g, sa), sumTo(g, sb)};
            case SUB -> g -> new Tensor[] {sumTo(g, sa), sumTo(g.neg(), sb)};
            case MUL -> g -> {
                float[] gd = g.dense();
                float[] x = Workspace.floatsToFill(gd.length), y = Workspace.floatsToFill(gd.length);
                K.binary(MUL, gd, b, x, 0, gd.length);
                K.binary(MUL, gd, a, y, 0, gd.length);
                return new Tensor[] {sumTo(Tensor.of(x, s), sa), sumTo(Tensor.of(y, s), sb)};
            };
            default -> g -> {
                float[] gd = g.dense();
                float[] x = Workspace.floatsToFill(gd.length), y = Workspace.floatsToFill(gd.length);
                for (int i = 0; i < gd.length; i++) {
                    x[i] = gd[i] / b[i];
                    y[i] = -gd[i] * out[i] / b[i];
                }
                return new Tensor[] {sumTo(Tensor.of(x, s), sa), sumTo(Tensor.of(y, s), sb)};
            };
        };
        return result(op, out, s, fn, self, o);
    }

    static Tensor addScalar(Tensor self, float v) { return map(self, "add", x -> x + v, (x, y) -> 1f); }
    static Tensor subScalar(Tensor self, float v) { return map(self, "sub", x -> x - v, (x, y) -> 1f); }
    static Tensor mulScalar(Tensor self, float v) { return map(self, "mul", x -> x * v, (x, y) -> v); }
    static Tensor divScalar(Tensor self, float v) { return map(self, "div", x -> x / v, (x, y) -> 1f / v); }

    static Tensor exp(Tensor self) { return map(self, "exp", x -> (float) Math.exp(x), (x, y) -> y); }
    static Tensor log(Tensor self) { return map(self, "log", x -> (float) Math.log(x), (x, y) -> 1f / x); }
    static Tensor sqrt(Tensor self) { return map(self, "sqrt", x -> (float) Math.sqrt(x), (x, y) -> 0.5f / y); }
    static Tensor rsqrt(Tensor self) {
        return map(self, "rsqrt", x -> (float) (1.0 / Math.sqrt(x)), (x, y) -> -0.5f * y * y * y);
    }
    static Tensor tanh(Tensor self) { return map(self, "tanh", x -> (float) Math.tanh(x), (x, y) -> 1f - y * y); }
    static Tensor neg(Tensor self) { return map(self, "neg", x -> -x, (x, y) -> -1f); }
    static Tensor abs(Tensor self) { return map(self, "abs", Math::abs, (x, y) -> x > 0 ? 1f : x < 0 ? -1f : 0f); }
    static Tensor sigmoid(Tensor self) { return map(self, "sigmoid", Elementwise::sigmoidOf, (x, y) -> y * (1f - y)); }
    static Tensor relu(Tensor self) { return map(self, "relu", x -> x > 0 ? x : 0f, (x, y) -> x > 0 ? 1f : 0f); }
    static Tensor gelu(Tensor self) { return activation(self, "gelu", K::gelu, K::geluBackward); }
    static Tensor geluTanh(Tensor self) { return activation(self, "geluTanh", K::geluTanh, K::geluTanhBackward); }

    static Tensor pow(Tensor self, float p) {
        if (p == 2f) return map(self, "pow", x -> x * x, (x, y) -> 2f * x);
        return map(self, "pow", x -> (float) Math.pow(x, p), (x, y) -> p == 0f ? 0f : (float) (p * Math.pow(x, p - 1)));
    }

    static Tensor silu(Tensor self) {
        return map(self, "silu", x -> x * sigmoidOf(x), (x, y) -> {
            float s = sigmoidOf(x);
            return s * (1f + x * (1f - s));
        });
    }

    static float sigmoidOf(float x) {
        return x >= 0 ? (float) (1.0 / (1.0 + Math.exp(-x))) : (float) (Math.exp(x) / (1.0 + Math.exp(x)));
    }

    /**
     * An elementwise activation whose forward and backward are vectorised range kernels, split over the pool:
     * the feed-forward activation runs over every hidden unit of every token.
     */
    static Tensor activation(Tensor self, String op, RangeKernel forward, RangeGradKernel backward) {
        float[] x = self.dense();
        float[] out = Workspace.floatsToFill(x.length);
        Parallel.parallelRange(out.length, 1 << 14, (from, to) -> forward.apply(x, out, from, to));
        int[] shape = self.shape;
        return result(op, out, shape.clone(), g -> {
            float[] gd = g.dense();
            float[] gx = Workspace.floatsToFill(gd.length);
            Parallel.parallelRange(gx.length, 1 << 14, (from, to) -> backward.apply(x, gd, gx, from, to));
            return new Tensor[] {Tensor.of(gx, shape)};
        }, self);
    }

    /** f applied to every element; d gives the derivative from input and output. */
    static Tensor map(Tensor self, String op, F1 f, D1 d) {
        float[] x = self.dense();
        float[] out = Workspace.floatsToFill(x.length);
        Parallel.parallelRange(out.length, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) out[i] = f.apply(x[i]);
        });
        int[] shape = self.shape;
        return result(op, out, shape.clone(), g -> {
            float[] gd = g.dense();
            float[] gx = Workspace.floatsToFill(gd.length);
            Parallel.parallelRange(gx.length, 1 << 14, (from, to) -> {
                for (int i = from; i < to; i++) gx[i] = gd[i] * d.apply(x[i], out[i]);
            });
            return new Tensor[] {Tensor.of(gx, shape)};
        }, self);
    }

    static Tensor compare(Tensor self, Tensor o, int kind, String op) {
        int[] s = broadcastShape(op, self.shape, o.shape);
        float[] a = gather(self, s), b = gather(o, s);
        float[] out = Workspace.floatsToFill(a.length);
        for (int i = 0; i < out.length; i++) {
            boolean r = switch (kind) {
                case GT -> a[i] > b[i];
                case LT -> a[i] < b[i];
                case GE -> a[i] >= b[i];
                case LE -> a[i] <= b[i];
                default -> a[i] == b[i];
            };
            out[i] = r ? 1f : 0f;
        }
        return new Tensor(out, 0, s, rowMajor(s));
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] s = broadcastShape("where", broadcastShape("where", cond.shape, a.shape), b.shape);
        float[] c = gather(cond, s), x = gather(a, s), y = gather(b, s);
        float[] out = Workspace.floatsToFill(c.length);
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0f ? x[i] : y[i];
        int[] sa = a.shape, sb = b.shape;
        return result("where", out, s, g -> {
            float[] gd = g.dense();
            float[] ga = Workspace.floats(gd.length), gb = Workspace.floats(gd.length);
            for (int i = 0; i < gd.length; i++) {
                if (c[i] != 0f) ga[i] = gd[i];
                else gb[i] = gd[i];
            }
            return new Tensor[] {null, sumTo(Tensor.of(ga, s), sa), sumTo(Tensor.of(gb, s), sb)};
        }, null, a, b);
    }

    static Tensor maskedFill(Tensor self, Tensor mask, float value) {
        int[] s = broadcastShape("maskedFill", mask.shape, self.shape);
        if (!Arrays.equals(s, self.shape)) {
            throw new IllegalArgumentException("maskedFill: mask shape " + Arrays.toString(mask.shape)
                    + " must broadcast to tensor shape " + Arrays.toString(self.shape));
        }
        return where(mask, Tensor.scalar(value), self);
    }
}
