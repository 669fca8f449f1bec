package org.ablate.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The graph recorder and the reverse walk. Every differentiable op, built in or defined through {@link CustomOp},
 * records its result the same way: {@link #record} attaches a {@link Node} (the op's name, its inputs and how to turn
 * the result's gradient into theirs) when grad is on and an input needs a gradient. {@link #backward} walks the
 * nodes in reverse topological order, sums the gradients of tensors used more than once, and releases each node as
 * soon as it has been used.
 */
final class Autograd {
    private Autograd() {}

    /** Turns the gradient of a result into the gradients of its inputs (entries may be null). */
    @FunctionalInterface
    interface Backward { Tensor[] apply(Tensor gradOut); }

    /** How a result was made: the op's name, its inputs (entries may be null) and its backward function. */
    record Node(String op, Tensor[] inputs, Backward fn) {
        /**
         * What a node becomes once backward() has used it: its saved activations are released there and then (as
         * in PyTorch), so memory falls as backward proceeds and the collector does not copy a spent graph.
         */
        static Node freed(String op) {
            return new Node(op, new Tensor[0], g -> {
                throw new IllegalStateException("backward: this part of the graph (op " + op + ") was already used by an"
                        + " earlier backward() and its saved values were released; recompute the forward pass to"
                        + " back-propagate again");
            });
        }
    }

    static boolean needsGrad(Tensor t) { return t.requiresGrad() || t.node != null; }

    /** Whether {@link #record} would attach a node for these inputs now. */
    static boolean recording(Tensor... inputs) {
        if (!Tensor.gradEnabled()) return false;
        for (Tensor t : inputs) if (t != null && needsGrad(t)) return true;
        return false;
    }

    /** Builds a result over contiguous {@code out}; records the graph when grad is on and an input needs it. */
    static Tensor result(String op, float[] out, int[] shape, Backward fn, Tensor... inputs) {
        return record(op, new Tensor(out, 0, shape, Layout.rowMajor(shape)), fn, inputs);
    }

    /** Attaches a node for {@code op} to the fresh tensor {@code r} when grad is on and an input needs a gradient. */
    static Tensor record(String op, Tensor r, Backward fn, Tensor... inputs) {
        if (fn != null && recording(inputs)) r.node = new Node(op, inputs, fn);
        return r;
    }

    /** See {@link Tensor#backward()}. */
    static void backward(Tensor root) {
        if (root.numel() != 1) {
            throw new IllegalStateException("backward: needs a one-element tensor, shape is " + Arrays.toString(root.shape));
        }
        if (!needsGrad(root)) {
            throw new IllegalStateException("backward: this tensor does not depend on any tensor that requires grad");
        }
        List<Tensor> order = topoOrder(root);
        Gradients grads = new Gradients();
        grads.put(root, Tensor.full(1f, root.shape));
        try (NoGrad ignored = Tensor.noGrad()) {
            for (int idx = order.size() - 1; idx >= 0; idx--) {
                Tensor t = order.get(idx);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                if (t.node == null) {
                    if (t.requiresGrad()) t.accumulate(g);
                    grads.releaseIfUnused(g);
                    continue;
                }
                Node node = t.node;
                Tensor[] gs = node.fn.apply(g);
                Tensor[] in = node.inputs;
                t.node = Node.freed(node.op);
                for (int i = 0; i < in.length; i++) {
                    if (in[i] == null || gs[i] == null || !needsGrad(in[i])) continue;
                    Tensor gi = gs[i];
                    if (!Arrays.equals(gi.shape, in[i].shape)) gi = gi.reshape(in[i].shape);
                    Tensor prev = grads.remove(in[i]);
                    if (prev == null) {
                        grads.put(in[i], gi);
                    } else {
                        grads.put(in[i], prev.add(gi));
                        grads.releaseIfUnused(prev);
                        grads.releaseIfUnused(gi);
                    }
                }
                grads.releaseIfUnused(g);
            }
        }
    }

    /**
     * The pending gradients of a backward pass. A gradient's array is dead once it has been used, unless another
     * pending gradient shares it (add's backward hands the same gradient to both inputs; reshapes are views): the
     * arrays are counted, and one no pending gradient holds goes back to the step's {@link Workspace} at once, so
     * the next gradients reuse it. Only arrays made during this pass are given back, never an activation.
     */
    private static final class Gradients {
        private final IdentityHashMap<Tensor, Tensor> byTensor = new IdentityHashMap<>();
        private final IdentityHashMap<float[], int[]> holders = new IdentityHashMap<>();
        private final int mark = Workspace.mark();

        void put(Tensor t, Tensor g) {
            byTensor.put(t, g);
            holders.computeIfAbsent(g.data(), k -> new int[1])[0]++;
        }

        Tensor remove(Tensor t) {
            Tensor g = byTensor.remove(t);
            if (g != null && --holders.get(g.data())[0] == 0) holders.remove(g.data());
            return g;
        }

        void releaseIfUnused(Tensor g) {
            if (mark >= 0 && !holders.containsKey(g.data())) Workspace.release(g.data(), mark);
        }
    }

    private static List<Tensor> topoOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] in = t.node == null ? new Tensor[0] : t.node.inputs;
            if (next < in.length) {
                top[1] = next + 1;
                Tensor c = in[next];
                if (c != null && needsGrad(c) && seen.add(c)) stack.push(new Object[] {c, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
