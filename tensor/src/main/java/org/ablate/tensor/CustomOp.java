package org.ablate.tensor;

import java.util.Arrays;

/**
 * A differentiable op defined outside the engine, the counterpart of PyTorch's {@code torch.autograd.Function}: a
 * plugin subclasses it with a {@link #forward} that computes the result (and may save what the backward pass needs
 * in its {@link OpContext}) and a {@link #backward} that turns the result's gradient into one gradient per input.
 * Calling {@link #apply} runs the op and records it in the autograd graph exactly as the built-in ops are recorded:
 *
 * <ul>
 *   <li>under {@link Tensor#noGrad()}, or when no input needs a gradient, no graph is recorded and the saved values
 *       are dropped as soon as {@link #forward} returns;</li>
 *   <li>{@link Tensor#backward()} calls {@link #backward} at most once per application: afterwards the context's saved
 *       values are released, and a second backward() through the same graph fails with a message naming the op;</li>
 *   <li>an input used twice (in two inputs of one application, or in several ops) receives the sum of its
 *       gradients.</li>
 * </ul>
 *
 * <p>What {@link #backward} returns is checked before it enters the graph: it must hold exactly one entry per input
 * (null for an input that gets no gradient), each gradient must have its input's shape, and every value must be
 * finite. A violation throws {@link IllegalStateException} with a one-line message naming the op, its class and its
 * module (the plugin), e.g. {@code custom op "sq-relu" (org.example.SquaredRelu, module org.example.ops): backward
 * returned 1 gradient for 2 inputs}.
 *
 * <p>An op has one result tensor. Instances hold the op's configuration (a scale, a window size) and may be shared
 * between threads when their fields are immutable; per-call state belongs in the context. Gradients of gradients are
 * not supported (the engine records no graph while back-propagating).
 *
 * <pre>{@code
 * final class SquaredRelu extends CustomOp {
 *     SquaredRelu() { super("squared-relu"); }
 *
 *     protected Tensor forward(OpContext ctx, Tensor... in) {
 *         Tensor r = in[0].relu();
 *         ctx.saveForBackward(r);
 *         return r.mul(r);
 *     }
 *
 *     protected Tensor[] backward(OpContext ctx, Tensor grad) {
 *         return new Tensor[] {grad.mul(ctx.saved(0)).mul(2f)};
 *     }
 * }
 * Tensor y = new SquaredRelu().apply(x);
 * }</pre>
 */
public abstract class CustomOp {
    private final String name;

    /** @param name the op's name in graph and error messages; not blank */
    protected CustomOp(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("CustomOp: the op name must not be blank");
        this.name = name;
    }

    /** The op's name, as given to the constructor. */
    public final String name() { return name; }

    /**
     * Computes the result from the inputs, with graph recording off (the ops used here are not recorded: this op's
     * own backward stands for them). Inputs may be views (any strides) and may be null where the op allows it.
     * The result may share memory with an input; the engine hands the caller a fresh tensor over it.
     */
    protected abstract Tensor forward(OpContext ctx, Tensor... inputs);

    /**
     * The gradient of each input, given the gradient of the result: an array with one entry per input, each of its
     * input's shape, or null for an input without gradient (see {@link OpContext#needsInputGrad}). Runs with graph
     * recording off. {@code gradOutput} has the result's shape and is dense: its {@link Tensor#data()} holds the
     * elements row-major from index 0 (do not write to it).
     */
    protected abstract Tensor[] backward(OpContext ctx, Tensor gradOutput);

    /** Runs the op on {@code inputs} and records it for autograd as described in the class comment. */
    public final Tensor apply(Tensor... inputs) {
        Tensor[] in = inputs.clone();
        boolean track = Autograd.recording(in);
        OpContext ctx = new OpContext(this, in, track);
        Tensor out;
        try (NoGrad ignored = Tensor.noGrad()) {
            out = forward(ctx, in);
        }
        if (out == null) throw new IllegalStateException(describe() + ": forward returned null");
        Tensor r = new Tensor(out.data(), out.offset, out.shape, out.strides);
        if (!track) {
            ctx.release();
            return r;
        }
        return Autograd.record(name, r, g -> runBackward(ctx, in, g), in);
    }

    private Tensor[] runBackward(OpContext ctx, Tensor[] in, Tensor g) {
        Tensor dense = g.offset == 0 && g.data().length == g.numel() && g.isContiguous() ? g : Tensor.of(g.toArray(), g.shape);
        Tensor[] gs = backward(ctx, dense);
        int n = gs == null ? 0 : gs.length;
        if (gs == null || n != in.length) {
            throw new IllegalStateException(describe() + ": backward returned " + (gs == null ? "null instead of " + in.length
                    + " gradients" : n + (n == 1 ? " gradient" : " gradients") + " for " + in.length
                    + (in.length == 1 ? " input" : " inputs")));
        }
        for (int i = 0; i < n; i++) {
            if (gs[i] == null || in[i] == null) continue;
            if (!Arrays.equals(gs[i].shape, in[i].shape)) {
                throw new IllegalStateException(describe() + ": backward's gradient for input " + i + " has shape "
                        + Arrays.toString(gs[i].shape) + ", the input's shape is " + Arrays.toString(in[i].shape));
            }
            int bad = firstNonFinite(gs[i]);
            if (bad >= 0) {
                float v = gs[i].toArray()[bad];
                throw new IllegalStateException(describe() + ": backward's gradient for input " + i + " is not finite ("
                        + v + " at flat index " + bad + " of shape " + Arrays.toString(gs[i].shape) + ")"
                        + (firstNonFinite(dense) >= 0 ? "; the gradient it received was not finite either" : ""));
            }
        }
        ctx.release();
        return gs;
    }

    private static int firstNonFinite(Tensor t) {
        float[] v = t.dense();
        for (int i = 0; i < v.length; i++) if (!Float.isFinite(v[i])) return i;
        return -1;
    }

    /** The op's name, class and module, as error messages give it. */
    final String describe() {
        Module m = getClass().getModule();
        return "custom op \"" + name + "\" (" + getClass().getName() + (m.isNamed() ? ", module " + m.getName() : "") + ")";
    }

    @Override public String toString() { return describe(); }
}
