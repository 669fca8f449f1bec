package org.ablate.tensor;

import static org.ablate.tensor.GradCheck.check;
import static org.ablate.tensor.GradCheck.randn;
import static org.ablate.tensor.GradCheck.spread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Ops defined through {@link CustomOp}: gradients, graph recording, release, accumulation, and backward validation. */
class CustomOpTest {

    /** relu(x)², with the backward written on tensors: 2·relu(x)·g. Keeps every context it creates. */
    static final class SquaredRelu extends CustomOp {
        final List<OpContext> contexts = new ArrayList<>();
        int backwardCalls;

        SquaredRelu() { super("squared-relu"); }

        @Override protected Tensor forward(OpContext ctx, Tensor... in) {
            contexts.add(ctx);
            Tensor r = in[0].relu();
            ctx.saveForBackward(r);
            return r.mul(r);
        }

        @Override protected Tensor[] backward(OpContext ctx, Tensor grad) {
            backwardCalls++;
            return new Tensor[] {grad.mul(ctx.saved(0)).mul(2f)};
        }
    }

    /**
     * softmax(x·s) over the last dim with a learnable one-element scale s, written on raw arrays as a plugin kernel
     * would be: y = softmax(z), z = s·x; gz = y·(g − Σ g·y); gx = s·gz; gs = Σ x·gz.
     */
    static final class ScaledSoftmax extends CustomOp {
        ScaledSoftmax() { super("scaled-softmax"); }

        @Override protected Tensor forward(OpContext ctx, Tensor... in) {
            float[] x = in[0].toArray();
            float s = in[1].item();
            int n = in[0].size(-1);
            float[] y = new float[x.length];
            for (int r = 0; r < x.length / n; r++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) m = Math.max(m, s * x[r * n + i]);
                double sum = 0;
                for (int i = 0; i < n; i++) sum += y[r * n + i] = (float) Math.exp(s * x[r * n + i] - m);
                for (int i = 0; i < n; i++) y[r * n + i] /= (float) sum;
            }
            Tensor out = Tensor.of(y, in[0].shape());
            ctx.saveForBackward(out);
            ctx.put("x", x);
            ctx.put("scale", s);
            return out;
        }

        @Override protected Tensor[] backward(OpContext ctx, Tensor grad) {
            float[] g = grad.data(); // dense, row-major from 0: the contract of backward's gradient
            float[] y = ctx.saved(0).data();
            float[] x = ctx.get("x", float[].class);
            float s = ctx.get("scale", Float.class);
            int n = ctx.inputShape(0)[ctx.inputShape(0).length - 1];
            float[] gx = new float[y.length];
            double gs = 0;
            for (int r = 0; r < y.length / n; r++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += g[r * n + i] * y[r * n + i];
                for (int i = 0; i < n; i++) {
                    float gz = (float) (y[r * n + i] * (g[r * n + i] - dot));
                    gx[r * n + i] = s * gz;
                    gs += x[r * n + i] * gz;
                }
            }
            return new Tensor[] {
                    ctx.needsInputGrad(0) ? Tensor.of(gx, ctx.inputShape(0)) : null,
                    ctx.needsInputGrad(1) ? Tensor.of(new float[] {(float) gs}, ctx.inputShape(1)) : null};
        }
    }

    /** a·b elementwise (same shapes), for an input passed twice. */
    static final class Product extends CustomOp {
        Product() { super("product"); }

        @Override protected Tensor forward(OpContext ctx, Tensor... in) {
            ctx.saveForBackward(in[0], in[1]);
            return in[0].mul(in[1]);
        }

        @Override protected Tensor[] backward(OpContext ctx, Tensor grad) {
            return new Tensor[] {grad.mul(ctx.saved(1)), grad.mul(ctx.saved(0))};
        }
    }

    /** An op whose backward is given by the test: for the validation cases. */
    static final class Scripted extends CustomOp {
        final Function<Tensor, Tensor[]> back;

        Scripted(Function<Tensor, Tensor[]> back) {
            super("scripted");
            this.back = back;
        }

        @Override protected Tensor forward(OpContext ctx, Tensor... in) { return in[0].mul(in[1]); }

        @Override protected Tensor[] backward(OpContext ctx, Tensor grad) { return back.apply(grad); }
    }

    private static void assertClose(Tensor expected, Tensor actual, float tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " at " + i);
        }
    }

    @Test
    void squaredReluMatchesFiniteDifferencesAndTheBuiltInComposition() {
        SquaredRelu op = new SquaredRelu();
        check("squared-relu", t -> op.apply(t[0]), spread(1, 3, 4));
        check("squared-relu in a graph", t -> op.apply(t[0].matmul(t[1])).sum(1, false), randn(2, 3, 5), randn(3, 5, 4));

        Tensor x = spread(4, 2, 6).requiresGrad(true);
        Tensor w = randn(5, 2, 6);
        op.apply(x).mul(w).sum().backward();
        Tensor custom = x.grad();
        x.zeroGrad();
        x.relu().pow(2f).mul(w).sum().backward();
        assertClose(x.relu().pow(2f), op.apply(x), 0f, "forward");
        assertClose(x.grad(), custom, 1e-6f, "gradient");
    }

    @Test
    void scaledSoftmaxMatchesFiniteDifferencesAndTheBuiltInComposition() {
        ScaledSoftmax op = new ScaledSoftmax();
        check("scaled-softmax", t -> op.apply(t[0], t[1]), randn(6, 3, 5), Tensor.of(new float[] {0.7f}, 1));
        // the gradient reaches the op through a transpose (a strided view): backward still sees it dense
        check("scaled-softmax transposed", t -> op.apply(t[0], t[1]).transpose(0, 1), randn(7, 2, 4),
                Tensor.of(new float[] {1.3f}, 1));

        Tensor x = randn(8, 4, 7).requiresGrad(true), s = Tensor.of(new float[] {0.6f}, 1).requiresGrad(true);
        Tensor w = randn(9, 4, 7);
        op.apply(x, s).mul(w).sum().backward();
        Tensor gx = x.grad(), gs = s.grad();
        x.zeroGrad();
        s.zeroGrad();
        x.mul(s).softmax(-1).mul(w).sum().backward();
        assertClose(x.mul(s).softmax(-1), op.apply(x, s), 1e-6f, "forward");
        assertClose(x.grad(), gx, 1e-5f, "gradient of x");
        assertClose(s.grad(), gs, 1e-5f, "gradient of s");
    }

    @Test
    void onlyInputsThatNeedAGradientAreAskedFor() {
        ScaledSoftmax op = new ScaledSoftmax();
        Tensor x = randn(10, 2, 3).requiresGrad(true);
        Tensor s = Tensor.of(new float[] {2f}, 1); // a constant: no gradient asked, none delivered
        op.apply(x, s).mul(randn(11, 2, 3)).sum().backward();
        assertTrue(x.grad() != null);
        assertNull(s.grad());
    }

    @Test
    void noGradRecordsNoGraphAndReleasesTheSavedValuesAtOnce() {
        SquaredRelu op = new SquaredRelu();
        Tensor x = spread(12, 2, 3).requiresGrad(true);
        Tensor y;
        try (NoGrad g = Tensor.noGrad()) {
            y = op.apply(x);
        }
        OpContext ctx = op.contexts.get(0);
        assertFalse(ctx.needsGrad());
        assertTrue(ctx.released());
        assertThrows(IllegalStateException.class, () -> ctx.saved(0));
        assertEquals("Tensor[2, 3]", y.toString(), "no graph node on the result");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("does not depend on any tensor that requires grad"), e.getMessage());
        assertEquals(0, op.backwardCalls);

        // no input requiring grad: no graph either, even with grad mode on
        Tensor z = op.apply(spread(13, 2, 3));
        assertFalse(op.contexts.get(1).needsGrad());
        assertEquals("Tensor[2, 3]", z.toString());
    }

    @Test
    void backwardReleasesTheSavedValuesAndASpentGraphFailsNamingTheOp() {
        SquaredRelu op = new SquaredRelu();
        Tensor x = spread(14, 2, 3).requiresGrad(true);
        Tensor y = op.apply(x);
        assertEquals("Tensor[2, 3] (grad fn squared-relu)", y.toString());
        OpContext ctx = op.contexts.get(0);
        assertTrue(ctx.needsGrad() && ctx.needsInputGrad(0));
        Tensor loss = y.sum();
        loss.backward();
        assertEquals(1, op.backwardCalls);
        assertTrue(ctx.released());
        IllegalStateException saved = assertThrows(IllegalStateException.class, () -> ctx.saved(0));
        assertTrue(saved.getMessage().contains("squared-relu") && saved.getMessage().contains("released"), saved.getMessage());
        assertArrayEquals(new int[] {2, 3}, ctx.inputShape(0), "input shapes stay readable");

        IllegalStateException spent = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(spent.getMessage().contains("already used") && spent.getMessage().contains("(op sum)"), spent.getMessage());
        // a new graph built on the spent result reaches the custom op's released node
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> y.mul(2f).sum().backward());
        assertTrue(again.getMessage().contains("already used") && again.getMessage().contains("(op squared-relu)"), again.getMessage());
        assertEquals(1, op.backwardCalls);
    }

    @Test
    void gradientsOfAnInputUsedTwiceAccumulate() {
        Product op = new Product();
        Tensor x = randn(15, 3, 2).requiresGrad(true);
        op.apply(x, x).sum().backward(); // d/dx Σ x² = 2x
        assertClose(x.mul(2f), x.grad(), 1e-6f, "same tensor as both inputs");

        SquaredRelu sq = new SquaredRelu();
        Tensor a = spread(16, 2, 4).requiresGrad(true);
        sq.apply(a).add(sq.apply(a).mul(3f)).sum().backward(); // 4·relu(a)²: gradient 8·relu(a)
        assertClose(a.relu().mul(8f), a.grad(), 1e-6f, "same tensor through two applications");
        assertEquals(2, sq.backwardCalls);

        // and the leaf's gradient keeps accumulating across backward passes, as for built-in ops
        Tensor before = a.grad().mul(1f);
        sq.apply(a).sum().backward();
        assertClose(before.add(a.relu().mul(2f)), a.grad(), 1e-6f, "second pass adds to grad()");
    }

    @Test
    void aForwardThatReturnsItsInputLeavesTheInputALeaf() {
        CustomOp identity = new CustomOp("identity") {
            @Override protected Tensor forward(OpContext ctx, Tensor... in) { return in[0]; }
            @Override protected Tensor[] backward(OpContext ctx, Tensor grad) { return new Tensor[] {grad.mul(1f)}; }
        };
        Tensor x = randn(17, 2, 2).requiresGrad(true);
        Tensor y = identity.apply(x);
        assertTrue(y != x);
        assertEquals("Tensor[2, 2] requiresGrad", x.toString());
        y.mul(3f).sum().backward();
        assertClose(Tensor.full(3f, 2, 2), x.grad(), 0f, "gradient through identity");
    }

    private static IllegalStateException badBackward(Function<Tensor, Tensor[]> back, Tensor b) {
        Tensor a = randn(18, 2, 3).requiresGrad(true);
        Tensor loss = new Scripted(back).apply(a, b).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        String m = e.getMessage();
        assertTrue(m.startsWith("custom op \"scripted\" (" + Scripted.class.getName()), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        return e;
    }

    @Test
    void aBackwardWithTheWrongNumberOfGradientsFailsNamingTheOp() {
        Tensor b = randn(19, 2, 3).requiresGrad(true);
        String m = badBackward(g -> new Tensor[] {g}, b).getMessage();
        assertTrue(m.endsWith("backward returned 1 gradient for 2 inputs"), m);
        m = badBackward(g -> new Tensor[] {g, g, g}, b).getMessage();
        assertTrue(m.endsWith("backward returned 3 gradients for 2 inputs"), m);
        m = badBackward(g -> null, b).getMessage();
        assertTrue(m.endsWith("backward returned null instead of 2 gradients"), m);
    }

    @Test
    void aGradientOfTheWrongShapeFailsNamingTheOp() {
        Tensor b = randn(20, 2, 3).requiresGrad(true);
        String m = badBackward(g -> new Tensor[] {g, g.reshape(3, 2)}, b).getMessage();
        assertTrue(m.endsWith("backward's gradient for input 1 has shape [3, 2], the input's shape is [2, 3]"), m);
        // same element count is not enough, and an input without gradient is checked too
        m = badBackward(g -> new Tensor[] {g.reshape(6), null}, randn(21, 2, 3)).getMessage();
        assertTrue(m.contains("gradient for input 0 has shape [6]"), m);
    }

    @Test
    void aNonFiniteGradientFailsNamingTheOp() {
        Tensor b = randn(22, 2, 3).requiresGrad(true);
        String m = badBackward(g -> new Tensor[] {g, g.div(0f).mul(0f)}, b).getMessage();
        assertTrue(m.contains("backward's gradient for input 1 is not finite (NaN at flat index 0 of shape [2, 3])"), m);
        assertFalse(m.contains("received"), m);
        m = badBackward(g -> {
            Tensor inf = g.mul(1f);
            inf.data()[4] = Float.POSITIVE_INFINITY;
            return new Tensor[] {inf, g};
        }, b).getMessage();
        assertTrue(m.contains("gradient for input 0 is not finite (Infinity at flat index 4"), m);
    }

    @Test
    void theOpNeedsAName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CustomOp(" ") {
            @Override protected Tensor forward(OpContext ctx, Tensor... in) { return in[0]; }
            @Override protected Tensor[] backward(OpContext ctx, Tensor grad) { return new Tensor[] {grad}; }
        });
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }
}
