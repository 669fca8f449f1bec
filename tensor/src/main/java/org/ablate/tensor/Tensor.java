package org.ablate.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Collections;
import java.util.random.RandomGenerator;
import org.ablate.tensor.kernels.Gemm;
import org.ablate.tensor.kernels.Gemv;
import org.ablate.tensor.kernels.Parallel;

/**
 * A dense float32 tensor: a row-major shape/stride view over a {@code float[]} starting at an offset.
 *
 * <p>View operations ({@link #reshape} of a contiguous tensor, {@link #transpose}, {@link #permute},
 * {@link #slice}, {@link #expand}, {@link #unsqueeze}, {@link #squeeze}) share the backing array;
 * every other operation allocates a new contiguous result.
 *
 * <p>Autograd is define-by-run: while {@link #gradEnabled()} holds and an input requires grad, each result
 * remembers its inputs and backward function. {@link #backward()} on a scalar walks that graph in reverse
 * topological order and accumulates gradients into {@link #grad()} of the leaves that require grad; the graph's saved
 * values are released as it goes, so a second backward() through the same graph fails with a clear message.
 * Elementwise ops broadcast NumPy-style, and gradients are summed back to each input's shape.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] strides;
    private boolean requiresGrad;
    private Tensor grad;
    private Node node;

    /** How a result was made: its inputs (entries may be null) and how to turn its gradient into theirs. */
    private record Node(Tensor[] inputs, Backward fn) {
        /**
         * What a node becomes once backward() has used it: its saved activations are released there and then (as
         * in PyTorch), so memory falls as backward proceeds and the collector does not copy a spent graph.
         */
        static final Node FREED = new Node(new Tensor[0], g -> {
            throw new IllegalStateException("backward: this part of the graph was already used by an earlier backward()"
                    + " and its saved values were released; recompute the forward pass to back-propagate again");
        });
    }

    @FunctionalInterface
    private interface Backward { Tensor[] apply(Tensor gradOut); }

    @FunctionalInterface
    private interface F1 { float apply(float x); }

    /** Derivative of an elementwise function, given input x and output y. */
    @FunctionalInterface
    private interface D1 { float apply(float x, float y); }

    private Tensor(float[] data, int offset, int[] shape, int[] strides) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    // ------------------------------------------------------------------ creation

    /** Wraps {@code data} without copying; its length must equal the product of {@code shape}. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        long n = checkedNumel("Tensor.of", s);
        if (n != data.length) {
            throw new IllegalArgumentException("Tensor.of: shape " + Arrays.toString(s) + " needs " + n
                    + " values, got " + data.length);
        }
        return new Tensor(data, 0, s, rowMajor(s));
    }

    /** A 0-d tensor (shape {@code []}) holding {@code v}. */
    public static Tensor scalar(float v) { return new Tensor(new float[] {v}, 0, new int[0], new int[0]); }

    /** A tensor of zeros. */
    public static Tensor zeros(int... shape) { return full(0f, shape); }

    /** A tensor of ones. */
    public static Tensor ones(int... shape) { return full(1f, shape); }

    /** A tensor filled with {@code v}. */
    public static Tensor full(float v, int... shape) {
        int[] s = shape.clone();
        float[] d = new float[Math.toIntExact(checkedNumel("Tensor.full", s))];
        if (v != 0f) Arrays.fill(d, v);
        return new Tensor(d, 0, s, rowMajor(s));
    }

    /** Normal samples with mean 0 and standard deviation {@code std}, drawn from {@code r} in row-major order. */
    public static Tensor randn(RandomGenerator r, float std, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (r.nextGaussian() * std);
        return t;
    }

    /** The 1-d tensor {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        if (n < 0) throw new IllegalArgumentException("Tensor.arange: n must be >= 0, got " + n);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return new Tensor(d, 0, new int[] {n}, new int[] {1});
    }

    // ------------------------------------------------------------------ info and access

    /** The shape, as a copy. */
    public int[] shape() { return shape.clone(); }

    /** Size of dimension {@code dim}; negative dims count from the end. */
    public int size(int dim) { return shape[axis("size", dim)]; }

    /** Number of dimensions. */
    public int dim() { return shape.length; }

    /** Number of elements. */
    public int numel() { return (int) checkedNumel("numel", shape); }

    /** The single element of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: needs exactly one element, shape is " + Arrays.toString(shape));
        return data[offset];
    }

    /** The element at {@code index} (one index per dimension). */
    public float get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("get: index " + Arrays.toString(index) + " out of shape " + Arrays.toString(shape));
            }
            p += index[i] * strides[i];
        }
        return data[p];
    }

    /** A row-major copy of the elements. */
    public float[] toArray() {
        float[] out = new float[numel()];
        copyStrided(data, offset, shape, strides, out, 0, rowMajor(shape));
        return out;
    }

    /** Whether the elements lie row-major without gaps (size-1 dimensions may have any stride). */
    public boolean isContiguous() {
        int expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (strides[i] != expect) return false;
            expect *= shape[i];
        }
        return true;
    }

    /** The backing array (shared with views; see {@link #offset()} and {@link #strides()}). */
    public float[] data() { return data; }

    /** Index of element {@code [0, ..., 0]} in {@link #data()}. */
    public int offset() { return offset; }

    /** Strides in elements, as a copy. */
    public int[] strides() { return strides.clone(); }

    // ------------------------------------------------------------------ autograd

    /** Marks this tensor as a leaf whose gradient {@link #backward()} accumulates; returns this. */
    public Tensor requiresGrad(boolean on) {
        this.requiresGrad = on;
        return this;
    }

    /** Whether this tensor was marked to receive a gradient. */
    public boolean requiresGrad() { return requiresGrad; }

    /** The accumulated gradient, same shape as this tensor; null until a backward pass reaches it. */
    public Tensor grad() { return grad; }

    /** Clears the accumulated gradient (sets it to null, as PyTorch's default). */
    public void zeroGrad() { grad = null; }

    /** Replaces the accumulated gradient (null clears it); its shape must equal this tensor's. */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Arrays.toString(g.shape) + " differs from tensor shape "
                    + Arrays.toString(shape));
        }
        grad = g;
    }

    /** A tensor sharing this one's data that records no graph and does not require grad. */
    public Tensor detach() { return new Tensor(data, offset, shape, strides); }

    /** Opens a scope in which no graph is recorded on this thread: {@code try (var g = Tensor.noGrad()) {...}}. */
    public static NoGrad noGrad() { return new NoGrad(); }

    /**
     * Whether operations on this thread currently record the autograd graph. The flag is per thread: work handed to
     * other threads does not inherit a caller's no-grad scope.
     */
    public static boolean gradEnabled() { return NoGrad.enabled(); }

    /**
     * Back-propagates from this one-element tensor: gradients of every leaf that requires grad and was used
     * to compute it are added to that leaf's {@link #grad()}. The graph is spent afterwards: back-propagating
     * through any part of it again throws {@link IllegalStateException}.
     */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: needs a one-element tensor, shape is " + Arrays.toString(shape));
        }
        if (!needsGrad(this)) {
            throw new IllegalStateException("backward: this tensor does not depend on any tensor that requires grad");
        }
        List<Tensor> order = topoOrder(this);
        IdentityHashMap<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(this, full(1f, shape));
        try (NoGrad ignored = noGrad()) {
            for (int idx = order.size() - 1; idx >= 0; idx--) {
                Tensor t = order.get(idx);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                if (t.node == null) {
                    if (t.requiresGrad) t.accumulate(g);
                    continue;
                }
                Tensor[] gs = t.node.fn.apply(g);
                Tensor[] in = t.node.inputs;
                t.node = Node.FREED;
                for (int i = 0; i < in.length; i++) {
                    if (in[i] == null || gs[i] == null || !needsGrad(in[i])) continue;
                    Tensor gi = gs[i];
                    if (!Arrays.equals(gi.shape, in[i].shape)) gi = gi.reshape(in[i].shape);
                    Tensor prev = grads.get(in[i]);
                    grads.put(in[i], prev == null ? gi : prev.add(gi));
                }
            }
        }
    }

    private void accumulate(Tensor g) {
        if (grad == null) {
            grad = Tensor.of(g.toArray(), shape);
        } else {
            float[] gd = g.dense();
            float[] acc = grad.isContiguous() && grad.offset == 0 && grad.data.length == gd.length ? grad.data : null;
            if (acc == null) {
                grad = Tensor.of(grad.toArray(), shape);
                acc = grad.data;
            }
            for (int i = 0; i < gd.length; i++) acc[i] += gd[i];
        }
    }

    private static boolean needsGrad(Tensor t) { return t.requiresGrad || t.node != null; }

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

    /** Builds a result over contiguous {@code out}; records the graph when grad is on and an input needs it. */
    private static Tensor result(float[] out, int[] shape, Backward fn, Tensor... inputs) {
        Tensor r = new Tensor(out, 0, shape, rowMajor(shape));
        return record(r, fn, inputs);
    }

    private static Tensor record(Tensor r, Backward fn, Tensor... inputs) {
        if (fn != null && gradEnabled()) {
            for (Tensor t : inputs) {
                if (t != null && needsGrad(t)) {
                    r.node = new Node(inputs, fn);
                    break;
                }
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ views

    /** The same elements in a new shape; one entry may be -1 (inferred). A view when contiguous, else a copy. */
    public Tensor reshape(int... newShape) {
        int[] s = inferShape(newShape);
        if (Arrays.equals(s, shape) && isContiguous()) return this;
        Tensor src = isContiguous() ? this : contiguous();
        Tensor r = new Tensor(src.data, src.offset, s, rowMajor(s));
        int[] old = shape;
        return record(r, g -> new Tensor[] {g.reshape(old)}, src);
    }

    private int[] inferShape(int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: negative size in " + Arrays.toString(newShape));
            } else {
                known *= s[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(newShape) + " for shape "
                        + Arrays.toString(shape) + " (" + n + " elements)");
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: shape " + Arrays.toString(newShape) + " has " + known
                    + " elements, input shape " + Arrays.toString(shape) + " has " + n);
        }
        return s;
    }

    /** Swaps dimensions {@code a} and {@code b} (a view). */
    public Tensor transpose(int a, int b) {
        int[] p = new int[shape.length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        int x = axis("transpose", a), y = axis("transpose", b);
        p[x] = y;
        p[y] = x;
        return permute(p);
    }

    /** Reorders dimensions: result dim i is input dim {@code dims[i]} (a view). */
    public Tensor permute(int... dims) {
        if (dims.length != shape.length) {
            throw new IllegalArgumentException("permute: " + dims.length + " dims " + Arrays.toString(dims) + " for shape "
                    + Arrays.toString(shape));
        }
        int[] s = new int[dims.length], st = new int[dims.length], inv = new int[dims.length];
        boolean[] used = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = axis("permute", dims[i]);
            if (used[d]) throw new IllegalArgumentException("permute: repeated dim in " + Arrays.toString(dims));
            used[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
            inv[d] = i;
        }
        return record(new Tensor(data, offset, s, st), g -> new Tensor[] {g.permute(inv)}, this);
    }

    /** Elements {@code start <= i < end} along {@code dim} (a view); negative start/end count from the end. */
    public Tensor slice(int dim, int start, int end) {
        int d = axis("slice", dim);
        int n = shape[d];
        int s0 = start < 0 ? start + n : start, e0 = end < 0 ? end + n : end;
        if (s0 < 0 || e0 > n || s0 > e0) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") out of bounds for dim " + dim
                    + " of shape " + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        s[d] = e0 - s0;
        int[] old = shape;
        int from = s0;
        Tensor r = new Tensor(data, offset + s0 * strides[d], s, strides);
        return record(r, g -> {
            Tensor z = zeros(old);
            Tensor region = z.slice(d, from, from + g.shape[d]);
            copyStrided(g.data, g.offset, g.shape, g.strides, z.data, region.offset, region.strides);
            return new Tensor[] {z};
        }, this);
    }

    /** Broadcasts size-1 dims (and new leading dims) to {@code newShape}; -1 keeps a size (a view). */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: target " + Arrays.toString(newShape) + " has fewer dims than shape "
                    + Arrays.toString(shape));
        }
        int lead = newShape.length - shape.length;
        int[] s = new int[newShape.length], st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            if (i < lead) {
                if (newShape[i] < 0) throw new IllegalArgumentException("expand: -1 in a new leading dim of " + Arrays.toString(newShape));
                s[i] = newShape[i];
                st[i] = 0;
            } else {
                int o = shape[i - lead];
                int t = newShape[i] == -1 ? o : newShape[i];
                if (t == o) {
                    s[i] = o;
                    st[i] = strides[i - lead];
                } else if (o == 1) {
                    s[i] = t;
                    st[i] = 0;
                } else {
                    throw new IllegalArgumentException("expand: cannot expand shape " + Arrays.toString(shape) + " to "
                            + Arrays.toString(newShape) + " (only size-1 dims expand)");
                }
            }
        }
        int[] old = shape;
        return record(new Tensor(data, offset, s, st), g -> new Tensor[] {sumTo(g, old)}, this);
    }

    /** Inserts a size-1 dimension at {@code dim} (in {@code [-dim()-1, dim()]}), a view. */
    public Tensor unsqueeze(int dim) {
        int d = dim < 0 ? dim + shape.length + 1 : dim;
        if (d < 0 || d > shape.length) {
            throw new IllegalArgumentException("unsqueeze: dim " + dim + " out of range for shape " + Arrays.toString(shape));
        }
        int[] s = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = d < shape.length ? strides[d] * shape[d] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j];
                j++;
            }
        }
        int[] old = shape;
        return record(new Tensor(data, offset, s, st), g -> new Tensor[] {g.reshape(old)}, this);
    }

    /** Removes dimension {@code dim} if its size is 1; otherwise returns this unchanged (as PyTorch). */
    public Tensor squeeze(int dim) {
        int d = axis("squeeze", dim);
        if (shape[d] != 1) return this;
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            s[j] = shape[i];
            st[j] = strides[i];
            j++;
        }
        int[] old = shape;
        return record(new Tensor(data, offset, s, st), g -> new Tensor[] {g.reshape(old)}, this);
    }

    /** This tensor if already contiguous, else a row-major copy (gradient flows through unchanged). */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return result(toArray(), shape.clone(), g -> new Tensor[] {g}, this);
    }

    // ------------------------------------------------------------------ elementwise

    /** Elementwise sum with broadcasting. */
    public Tensor add(Tensor o) { return binary(o, 0, "add"); }
    /** Elementwise difference with broadcasting. */
    public Tensor sub(Tensor o) { return binary(o, 1, "sub"); }
    /** Elementwise product with broadcasting. */
    public Tensor mul(Tensor o) { return binary(o, 2, "mul"); }
    /** Elementwise quotient with broadcasting. */
    public Tensor div(Tensor o) { return binary(o, 3, "div"); }

    /** x + v elementwise. */
    public Tensor add(float v) { return map(x -> x + v, (x, y) -> 1f); }
    /** x − v elementwise. */
    public Tensor sub(float v) { return map(x -> x - v, (x, y) -> 1f); }
    /** x·v elementwise. */
    public Tensor mul(float v) { return map(x -> x * v, (x, y) -> v); }
    /** x / v elementwise. */
    public Tensor div(float v) { return map(x -> x / v, (x, y) -> 1f / v); }

    /** x^p elementwise. */
    public Tensor pow(float p) {
        if (p == 2f) return map(x -> x * x, (x, y) -> 2f * x);
        return map(x -> (float) Math.pow(x, p), (x, y) -> p == 0f ? 0f : (float) (p * Math.pow(x, p - 1)));
    }

    /** e^x elementwise. */
    public Tensor exp() { return map(x -> (float) Math.exp(x), (x, y) -> y); }
    /** Natural logarithm elementwise. */
    public Tensor log() { return map(x -> (float) Math.log(x), (x, y) -> 1f / x); }
    /** √x elementwise. */
    public Tensor sqrt() { return map(x -> (float) Math.sqrt(x), (x, y) -> 0.5f / y); }
    /** 1/√x elementwise. */
    public Tensor rsqrt() { return map(x -> (float) (1.0 / Math.sqrt(x)), (x, y) -> -0.5f * y * y * y); }
    /** tanh(x) elementwise. */
    public Tensor tanh() { return map(x -> (float) Math.tanh(x), (x, y) -> 1f - y * y); }
    /** −x elementwise. */
    public Tensor neg() { return map(x -> -x, (x, y) -> -1f); }
    /** |x| elementwise (gradient 0 at 0). */
    public Tensor abs() { return map(Math::abs, (x, y) -> x > 0 ? 1f : x < 0 ? -1f : 0f); }
    /** 1/(1 + e^{−x}) elementwise. */
    public Tensor sigmoid() { return map(Tensor::sigmoidOf, (x, y) -> y * (1f - y)); }

    /** max(x, 0). */
    public Tensor relu() { return map(x -> x > 0 ? x : 0f, (x, y) -> x > 0 ? 1f : 0f); }

    /** x·sigmoid(x). */
    public Tensor silu() {
        return map(x -> x * sigmoidOf(x), (x, y) -> {
            float s = sigmoidOf(x);
            return s * (1f + x * (1f - s));
        });
    }

    /** GELU, exact erf form: x·Φ(x). */
    public Tensor gelu() { return activation(Simd::gelu, Simd::geluBackward); }

    /** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public Tensor geluTanh() { return activation(Simd::geluTanh, Simd::geluTanhBackward); }

    @FunctionalInterface
    private interface RangeKernel { void apply(float[] x, float[] out, int from, int to); }

    @FunctionalInterface
    private interface RangeGradKernel { void apply(float[] x, float[] g, float[] gx, int from, int to); }

    /**
     * An elementwise activation whose forward and backward are vectorised range kernels, split over the pool:
     * the feed-forward activation runs over every hidden unit of every token.
     */
    private Tensor activation(RangeKernel forward, RangeGradKernel backward) {
        float[] x = dense();
        float[] out = new float[x.length];
        Parallel.parallelRange(out.length, 1 << 14, (from, to) -> forward.apply(x, out, from, to));
        return result(out, shape.clone(), g -> {
            float[] gd = g.dense();
            float[] gx = new float[gd.length];
            Parallel.parallelRange(gx.length, 1 << 14, (from, to) -> backward.apply(x, gd, gx, from, to));
            return new Tensor[] {Tensor.of(gx, shape)};
        }, this);
    }

    private static float sigmoidOf(float x) {
        return x >= 0 ? (float) (1.0 / (1.0 + Math.exp(-x))) : (float) (Math.exp(x) / (1.0 + Math.exp(x)));
    }

    /** 1 where x > o else 0 (broadcast; no gradient). */
    public Tensor gt(Tensor o) { return compare(o, 0, "gt"); }
    /** 1 where x < o else 0 (broadcast; no gradient). */
    public Tensor lt(Tensor o) { return compare(o, 1, "lt"); }
    /** 1 where x >= o else 0 (broadcast; no gradient). */
    public Tensor ge(Tensor o) { return compare(o, 2, "ge"); }
    /** 1 where x <= o else 0 (broadcast; no gradient). */
    public Tensor le(Tensor o) { return compare(o, 3, "le"); }
    /** 1 where x == o else 0 (broadcast; no gradient). */
    public Tensor eq(Tensor o) { return compare(o, 4, "eq"); }
    /** 1 where x > v else 0 (no gradient). */
    public Tensor gt(float v) { return compare(scalar(v), 0, "gt"); }
    /** 1 where x < v else 0 (no gradient). */
    public Tensor lt(float v) { return compare(scalar(v), 1, "lt"); }
    /** 1 where x >= v else 0 (no gradient). */
    public Tensor ge(float v) { return compare(scalar(v), 2, "ge"); }
    /** 1 where x <= v else 0 (no gradient). */
    public Tensor le(float v) { return compare(scalar(v), 3, "le"); }
    /** 1 where x == v else 0 (no gradient). */
    public Tensor eq(float v) { return compare(scalar(v), 4, "eq"); }

    /** Elementwise {@code cond != 0 ? a : b}, all three broadcast together; gradients flow to a and b. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] s = broadcastShape("where", broadcastShape("where", cond.shape, a.shape), b.shape);
        float[] c = gather(cond, s), x = gather(a, s), y = gather(b, s);
        float[] out = new float[c.length];
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0f ? x[i] : y[i];
        return result(out, s, g -> {
            float[] gd = g.dense();
            float[] ga = new float[gd.length], gb = new float[gd.length];
            for (int i = 0; i < gd.length; i++) {
                if (c[i] != 0f) ga[i] = gd[i];
                else gb[i] = gd[i];
            }
            return new Tensor[] {null, sumTo(Tensor.of(ga, s), a.shape), sumTo(Tensor.of(gb, s), b.shape)};
        }, null, a, b);
    }

    /** {@code value} where {@code mask != 0} (mask broadcasts to this shape), else this tensor's element. */
    public Tensor maskedFill(Tensor mask, float value) {
        int[] s = broadcastShape("maskedFill", mask.shape, shape);
        if (!Arrays.equals(s, shape)) {
            throw new IllegalArgumentException("maskedFill: mask shape " + Arrays.toString(mask.shape)
                    + " must broadcast to tensor shape " + Arrays.toString(shape));
        }
        return where(mask, scalar(value), this);
    }

    private Tensor binary(Tensor o, int kind, String op) {
        int[] s = broadcastShape(op, shape, o.shape);
        float[] a = gather(this, s), b = gather(o, s);
        float[] out = new float[a.length];
        Parallel.parallelRange(out.length, 1 << 15, (from, to) -> Simd.binary(kind, a, b, out, from, to));
        int[] sa = shape, sb = o.shape;
        // each backward keeps only the arrays it reads, so add/sub graphs hold no copies of their inputs
        Backward fn = switch (kind) {
            case 0 -> g -> new Tensor[] {sumTo(g, sa), sumTo(g, sb)};
            case 1 -> g -> new Tensor[] {sumTo(g, sa), sumTo(g.neg(), sb)};
            case 2 -> g -> {
                float[] gd = g.dense();
                float[] x = new float[gd.length], y = new float[gd.length];
                Simd.binary(2, gd, b, x, gd.length);
                Simd.binary(2, gd, a, y, gd.length);
                return new Tensor[] {sumTo(Tensor.of(x, s), sa), sumTo(Tensor.of(y, s), sb)};
            };
            default -> g -> {
                float[] gd = g.dense();
                float[] x = new float[gd.length], y = new float[gd.length];
                for (int i = 0; i < gd.length; i++) {
                    x[i] = gd[i] / b[i];
                    y[i] = -gd[i] * out[i] / b[i];
                }
                return new Tensor[] {sumTo(Tensor.of(x, s), sa), sumTo(Tensor.of(y, s), sb)};
            };
        };
        return result(out, s, fn, this, o);
    }

    private Tensor compare(Tensor o, int kind, String op) {
        int[] s = broadcastShape(op, shape, o.shape);
        float[] a = gather(this, s), b = gather(o, s);
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            boolean r = switch (kind) {
                case 0 -> a[i] > b[i];
                case 1 -> a[i] < b[i];
                case 2 -> a[i] >= b[i];
                case 3 -> a[i] <= b[i];
                default -> a[i] == b[i];
            };
            out[i] = r ? 1f : 0f;
        }
        return new Tensor(out, 0, s, rowMajor(s));
    }

    private Tensor map(F1 f, D1 d) {
        float[] x = dense();
        float[] out = new float[x.length];
        Parallel.parallelRange(out.length, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) out[i] = f.apply(x[i]);
        });
        return result(out, shape.clone(), g -> {
            float[] gd = g.dense();
            float[] gx = new float[gd.length];
            Parallel.parallelRange(gx.length, 1 << 14, (from, to) -> {
                for (int i = from; i < to; i++) gx[i] = gd[i] * d.apply(x[i], out[i]);
            });
            return new Tensor[] {Tensor.of(gx, shape)};
        }, this);
    }

    // ------------------------------------------------------------------ reductions

    /** Sum of all elements, as a 0-d tensor. */
    public Tensor sum() {
        float[] x = dense();
        double s = 0;
        for (float v : x) s += v;
        int[] old = shape;
        return result(new float[] {(float) s}, new int[0], g -> new Tensor[] {full(g.item(), old)}, this);
    }

    /** Sum along {@code dim}; keeps it as size 1 when {@code keepdim}. */
    public Tensor sum(int dim, boolean keepdim) {
        int d = axis("sum", dim);
        int n = shape[d], inner = innerSize(d), outer = outerSize(d);
        float[] x = dense();
        float[] out = new float[outer * inner];
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
        int[] old = shape;
        return result(out, keepdim ? keep : removeDim(shape, d),
                g -> new Tensor[] {g.reshape(keep).expand(old).contiguous()}, this);
    }

    /** Mean of all elements, as a 0-d tensor. */
    public Tensor mean() { return sum().div(numel()); }

    /** Mean along {@code dim}. */
    public Tensor mean(int dim, boolean keepdim) { return sum(dim, keepdim).div(shape[axis("mean", dim)]); }

    /** Maximum along {@code dim}; the gradient goes to the first maximal element. */
    public Tensor max(int dim, boolean keepdim) {
        int d = axis("max", dim);
        int n = shape[d];
        if (n == 0) throw new IllegalArgumentException("max: dim " + dim + " of shape " + Arrays.toString(shape) + " is empty");
        int inner = innerSize(d), outer = outerSize(d);
        float[] x = dense();
        float[] out = new float[outer * inner];
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
        int[] old = shape;
        int fo = outer;
        return result(out, keepdim ? keep : removeDim(shape, d), g -> {
            float[] gd = g.dense();
            float[] gx = new float[fo * n * inner];
            for (int o = 0; o < fo; o++) {
                for (int i = 0; i < inner; i++) gx[(o * n + arg[o * inner + i]) * inner + i] += gd[o * inner + i];
            }
            return new Tensor[] {Tensor.of(gx, old)};
        }, this);
    }

    /** Index of the first maximum along {@code dim}; the result drops that dim. */
    public IntTensor argmax(int dim) {
        int d = axis("argmax", dim);
        int n = shape[d];
        if (n == 0) throw new IllegalArgumentException("argmax: dim " + dim + " of shape " + Arrays.toString(shape) + " is empty");
        int inner = innerSize(d), outer = outerSize(d);
        float[] x = dense();
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
        return IntTensor.of(out, removeDim(shape, d));
    }

    // ------------------------------------------------------------------ neural-network ops

    /**
     * Matrix product. {@code [..., M, K] x [..., K, N] -> [..., M, N]} with broadcast batch dims; a 1-d left operand
     * is a row vector and a 1-d right operand a column vector (their dim is dropped from the result). Strided and
     * transposed operands are read in place, without copies.
     */
    public Tensor matmul(Tensor o) {
        if (shape.length == 0 || o.shape.length == 0) {
            throw new IllegalArgumentException("matmul: operands need at least 1 dim, got shapes " + Arrays.toString(shape)
                    + " and " + Arrays.toString(o.shape));
        }
        if (shape.length == 1) return unsqueeze(0).matmul(o).squeeze(-2);
        if (o.shape.length == 1) return matmul(o.unsqueeze(1)).squeeze(-1);
        if (shape[shape.length - 1] != o.shape[o.shape.length - 2]) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(shape) + " and " + Arrays.toString(o.shape)
                    + " do not chain (expected the last dim of the first, " + shape[shape.length - 1]
                    + ", to equal the second-to-last dim of the second, " + o.shape[o.shape.length - 2] + ")");
        }
        try {
            broadcastShape("matmul", Arrays.copyOf(shape, shape.length - 2), Arrays.copyOf(o.shape, o.shape.length - 2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("matmul: batch dims of shapes " + Arrays.toString(shape) + " and "
                    + Arrays.toString(o.shape) + " do not broadcast (expected equal sizes or 1 in each batch dim)");
        }
        Tensor r = matmulRaw(this, o);
        Tensor self = this;
        // each operand's gradient is a full product: skip the one no graph path needs
        return record(r, g -> new Tensor[] {
                needsGrad(self) ? sumTo(matmulRaw(g, o.transpose(-1, -2)), self.shape) : null,
                needsGrad(o) ? sumTo(matmulRaw(self.transpose(-1, -2), g), o.shape) : null}, this, o);
    }

    /** Batched product of two tensors with >= 2 dims, no graph; reads both operands through their strides. */
    private static Tensor matmulRaw(Tensor a, Tensor b) {
        int ad = a.shape.length, bd = b.shape.length;
        int m = a.shape[ad - 2], k = a.shape[ad - 1], n = b.shape[bd - 1];
        int[] batch = broadcastShape("matmul", Arrays.copyOf(a.shape, ad - 2), Arrays.copyOf(b.shape, bd - 2));
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        int[] aBs = broadcastStrides(a, batch, ad - 2), bBs = broadcastStrides(b, batch, bd - 2);
        int batches = (int) checkedNumel("matmul", batch);
        float[] c = new float[Math.toIntExact((long) batches * m * n)];
        java.util.function.IntConsumer one = bi -> {
            int ao = a.offset, bo = b.offset, rest = bi;
            for (int i = batch.length - 1; i >= 0; i--) {
                int ix = rest % batch[i];
                rest /= batch[i];
                ao += ix * aBs[i];
                bo += ix * bBs[i];
            }
            product(m, n, k, a.data, ao, a.strides[ad - 2], a.strides[ad - 1], b.data, bo, b.strides[bd - 2],
                    b.strides[bd - 1], c, bi * m * n, false);
        };
        // many small products (attention heads) spread over the pool by batch; few large ones let Gemm split each
        if (batches >= Parallel.threads()) {
            Parallel.parallelFor(batches, one);
        } else {
            for (int bi = 0; bi < batches; bi++) one.accept(bi);
        }
        return new Tensor(c, 0, outShape, rowMajor(outShape));
    }

    /** C (+)= A·B for one product, C row-major [m, n] at {@code cOff}; picks the kernel for the shape and layout. */
    private static void product(int m, int n, int k, float[] a, int ao, int aRs, int aCs, float[] b, int bo, int bRs,
                                int bCs, float[] c, int cOff, boolean accumulate) {
        if (m == 1) { // one row (a decoding step): memory-bound, stream B once without packing
            Gemv.gemv(n, k, a, ao, aCs, b, bo, bRs, bCs, c, cOff, accumulate);
            return;
        }
        if (m <= Gemv.SMALL_M && bRs == 1 && aCs == 1) { // a short prompt times a weight
            Gemv.smallM(m, n, k, a, ao, aRs, 1, b, bo, 1, bCs, c, cOff, n, accumulate);
            return;
        }
        Gemm.sgemm(m, n, k, a, ao, aRs, aCs, b, bo, bRs, bCs, c, cOff, n, accumulate);
    }

    /** Strides of {@code t}'s first {@code nd} dims aligned to {@code batch}, 0 where broadcast. */
    private static int[] broadcastStrides(Tensor t, int[] batch, int nd) {
        int[] s = new int[batch.length];
        int lead = batch.length - nd;
        for (int i = lead; i < batch.length; i++) s[i] = t.shape[i - lead] == 1 ? 0 : t.strides[i - lead];
        return s;
    }

    /**
     * Affine map {@code x·Wᵀ + b}: x {@code [..., in]}, weight {@code [out, in]} (read transposed without a copy),
     * bias {@code [out]} or null; result {@code [..., out]}.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        if (weight.shape.length != 2 || shape.length == 0 || weight.shape[1] != shape[shape.length - 1]) {
            throw new IllegalArgumentException("linear: input shape " + Arrays.toString(shape) + " and weight shape "
                    + Arrays.toString(weight.shape) + " do not fit (expected weight [out, " + (shape.length == 0 ? "?" : shape[shape.length - 1]) + "])");
        }
        if (bias != null && (bias.shape.length != 1 || bias.shape[0] != weight.shape[0])) {
            throw new IllegalArgumentException("linear: bias shape " + Arrays.toString(bias.shape) + " does not fit weight shape "
                    + Arrays.toString(weight.shape) + " (expected [" + weight.shape[0] + "])");
        }
        int[] outShape = shape.clone();
        outShape[outShape.length - 1] = weight.shape[0];
        Tensor x2 = shape.length == 2 ? this : reshape(-1, shape[shape.length - 1]);
        Tensor y = bias == null ? x2.matmul(weight.transpose(0, 1)) : affine(x2, weight, bias);
        return shape.length == 2 ? y : y.reshape(outShape);
    }

    /**
     * {@code x·Wᵀ + b} for 2-d x in one pass over C: each row of C starts as the bias and the product accumulates
     * onto it. Backward: gx = g·W, gW = gᵀ·x, gb = column sums of g.
     */
    private static Tensor affine(Tensor x, Tensor weight, Tensor bias) {
        int m = x.shape[0], k = x.shape[1], n = weight.shape[0];
        float[] b = bias.dense();
        float[] c = new float[Math.toIntExact((long) m * n)];
        for (int i = 0; i < m; i++) System.arraycopy(b, 0, c, i * n, n);
        // B = Wᵀ read in place: row stride 1, column stride = W's row stride
        product(m, n, k, x.data, x.offset, x.strides[0], x.strides[1], weight.data, weight.offset, weight.strides[1],
                weight.strides[0], c, 0, true);
        int[] outShape = {m, n};
        return result(c, outShape, g -> {
            Tensor gx = needsGrad(x) ? matmulRaw(g, weight) : null;
            Tensor gw = needsGrad(weight) ? matmulRaw(g.transpose(0, 1), x) : null;
            Tensor gb = null;
            if (needsGrad(bias)) {
                float[] gd = g.dense();
                float[] sum = new float[n];
                for (int i = 0; i < m; i++) Simd.axpy(1f, gd, i * n, sum, 0, n);
                gb = Tensor.of(sum, n);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
    }

    /** Softmax along {@code dim}. */
    public Tensor softmax(int dim) { return softmaxImpl(dim, false); }

    /** log(softmax(x)) along {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) { return softmaxImpl(dim, true); }

    private Tensor softmaxImpl(int dim, boolean log) {
        int d = axis(log ? "logSoftmax" : "softmax", dim);
        int n = shape[d], inner = innerSize(d), outer = outerSize(d);
        float[] x = dense();
        float[] y = new float[x.length];
        if (inner == 1) {
            rows(outer, n * inner, (r0, r1) -> {
                for (int o = r0; o < r1; o++) {
                    int base = o * n;
                    float m = Simd.max(x, base, n);
                    if (m == Float.NEGATIVE_INFINITY) m = 0f;
                    float s = Simd.expShiftSum(x, base, m, y, base, n);
                    if (log) {
                        float lse = m + (float) Math.log(s);
                        for (int i = 0; i < n; i++) y[base + i] = x[base + i] - lse;
                    } else {
                        Simd.scale(y, base, 1f / s, n);
                    }
                }
            });
        } else {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int k = 0; k < n; k++) m = Math.max(m, x[base + k * inner]);
                    if (m == Float.NEGATIVE_INFINITY) m = 0f;
                    double s = 0;
                    for (int k = 0; k < n; k++) {
                        float e = (float) Math.exp(x[base + k * inner] - m);
                        y[base + k * inner] = e;
                        s += e;
                    }
                    float lse = m + (float) Math.log(s);
                    for (int k = 0; k < n; k++) {
                        int p = base + k * inner;
                        y[p] = log ? x[p] - lse : (float) (y[p] / s);
                    }
                }
            }
        }
        int[] s = shape.clone();
        return result(y, s, g -> {
            float[] gd = g.dense();
            float[] gx = new float[gd.length];
            rows(outer, n * inner, (r0, r1) -> {
                for (int o = r0; o < r1; o++) {
                    for (int i = 0; i < inner; i++) {
                        int base = o * n * inner + i;
                        double acc = 0;
                        for (int k = 0; k < n; k++) {
                            int p = base + k * inner;
                            acc += log ? gd[p] : gd[p] * y[p];
                        }
                        for (int k = 0; k < n; k++) {
                            int p = base + k * inner;
                            gx[p] = log ? (float) (gd[p] - Math.exp(y[p]) * acc) : (float) (y[p] * (gd[p] - acc));
                        }
                    }
                }
            });
            return new Tensor[] {Tensor.of(gx, s)};
        }, this);
    }

    /**
     * Layer normalisation over the last dim: {@code (x - mean) / sqrt(var + eps) * weight + bias}, biased variance.
     * weight and bias are {@code [N]} or null.
     */
    public Tensor layerNorm(Tensor weight, Tensor bias, float eps) {
        int n = lastDim("layerNorm");
        checkVector("layerNorm", "weight", weight, n);
        checkVector("layerNorm", "bias", bias, n);
        int rows = n == 0 ? 0 : numel() / n;
        float[] x = dense();
        float[] w = weight == null ? null : weight.dense(), b = bias == null ? null : bias.dense();
        // xhat is kept only for a backward pass: inference writes y alone
        boolean tracked = gradEnabled() && (needsGrad(this) || (weight != null && needsGrad(weight))
                || (bias != null && needsGrad(bias)));
        float[] xhat = tracked ? new float[x.length] : null, y = new float[x.length], rstd = new float[rows];
        rows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * n;
                float mean = Simd.sum(x, base, n) / n;
                float var = Simd.sumSquaredDeviation(x, base, n, mean) / n;
                float rs = (float) (1.0 / Math.sqrt(var + eps));
                rstd[r] = rs;
                Simd.normalize(x, base, n, mean, rs, w, b, xhat, y);
            }
        });
        if (!tracked) return new Tensor(y, 0, shape.clone(), rowMajor(shape));
        int[] s = shape.clone();
        return result(y, s, g -> {
            float[] gd = g.dense();
            float[] gx = new float[gd.length];
            float[] gw = w == null || !needsGrad(weight) ? null : new float[n];
            float[] gb = b == null || !needsGrad(bias) ? null : new float[n];
            // rows are independent for gx; the parameter gradients are column sums, split by column range
            rows(rows, n, (r0, r1) -> {
                for (int r = r0; r < r1; r++) Simd.layerNormRowBackward(gd, xhat, w, r * n, n, rstd[r], gx);
            });
            if (gw != null || gb != null) {
                Parallel.parallelRange(n, 64, (c0, c1) -> Simd.normParamGrads(gd, xhat, rows, n, c0, c1, gw, gb));
            }
            return new Tensor[] {Tensor.of(gx, s), gw == null ? null : Tensor.of(gw, n), gb == null ? null : Tensor.of(gb, n)};
        }, this, weight, bias);
    }

    /** RMS normalisation over the last dim: {@code x / sqrt(mean(x²) + eps) * weight}; weight {@code [N]} or null. */
    public Tensor rmsNorm(Tensor weight, float eps) {
        int n = lastDim("rmsNorm");
        checkVector("rmsNorm", "weight", weight, n);
        int rows = n == 0 ? 0 : numel() / n;
        float[] x = dense();
        float[] w = weight == null ? null : weight.dense();
        float[] y = new float[x.length], rstd = new float[rows];
        rows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * n;
                float ss = Simd.dot(x, base, x, base, n);
                float rs = (float) (1.0 / Math.sqrt(ss / n + eps));
                rstd[r] = rs;
                Simd.scaleRow(x, base, n, rs, w, y);
            }
        });
        int[] s = shape.clone();
        return result(y, s, g -> {
            float[] gd = g.dense();
            float[] gx = new float[gd.length];
            float[] gw = w == null ? null : new float[n];
            for (int r = 0; r < rows; r++) {
                int base = r * n;
                float rs = rstd[r];
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    float dxw = gd[base + i] * (w == null ? 1f : w[i]);
                    dot += dxw * x[base + i];
                    if (gw != null) gw[i] += gd[base + i] * x[base + i] * rs;
                }
                float k = (float) (dot / n) * rs * rs;
                for (int i = 0; i < n; i++) {
                    float dxw = gd[base + i] * (w == null ? 1f : w[i]);
                    gx[base + i] = rs * (dxw - x[base + i] * k);
                }
            }
            return new Tensor[] {Tensor.of(gx, s), gw == null ? null : Tensor.of(gw, n)};
        }, this, weight);
    }

    /** Rows of {@code weight [V, E]} picked by {@code ids}: result {@code ids.shape + [E]}; repeated ids accumulate grad. */
    public static Tensor embedding(Tensor weight, IntTensor ids) {
        if (weight.shape.length != 2) {
            throw new IllegalArgumentException("embedding: weight must be [V, E], got shape " + Arrays.toString(weight.shape));
        }
        int v = weight.shape[0], e = weight.shape[1];
        int[] id = ids.data();
        for (int i = 0; i < id.length; i++) {
            if (id[i] < 0 || id[i] >= v) {
                throw new IndexOutOfBoundsException("embedding: id " + id[i] + " at flat position " + i + " out of range [0, " + v
                        + ") for weight shape " + Arrays.toString(weight.shape));
            }
        }
        float[] w = weight.dense();
        float[] out = new float[id.length * e];
        for (int i = 0; i < id.length; i++) System.arraycopy(w, id[i] * e, out, i * e, e);
        int[] is = ids.shape();
        int[] s = Arrays.copyOf(is, is.length + 1);
        s[is.length] = e;
        return result(out, s, g -> {
            float[] gd = g.dense();
            float[] gw = new float[v * e];
            for (int i = 0; i < id.length; i++) Simd.axpy(1f, gd, i * e, gw, id[i] * e, e);
            return new Tensor[] {Tensor.of(gw, v, e)};
        }, weight);
    }

    /** Joins tensors along {@code dim}; all other dims must agree. */
    public static Tensor concat(List<Tensor> ts, int dim) {
        if (ts.isEmpty()) throw new IllegalArgumentException("concat: no tensors given");
        Tensor first = ts.get(0);
        int d = first.axis("concat", dim);
        int[] s = first.shape.clone();
        int total = 0;
        for (Tensor t : ts) {
            boolean ok = t.shape.length == s.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == d || t.shape[i] == s[i];
            if (!ok) {
                throw new IllegalArgumentException("concat: shape " + Arrays.toString(t.shape) + " does not match "
                        + Arrays.toString(first.shape) + " outside dim " + dim);
            }
            total += t.shape[d];
        }
        s[d] = total;
        Tensor out = zeros(s);
        int[] sizes = new int[ts.size()];
        int at = 0;
        for (int j = 0; j < ts.size(); j++) {
            Tensor t = ts.get(j);
            sizes[j] = t.shape[d];
            Tensor region = out.slice(d, at, at + sizes[j]);
            copyStrided(t.data, t.offset, t.shape, t.strides, out.data, region.offset, region.strides);
            at += sizes[j];
        }
        Tensor[] inputs = ts.toArray(new Tensor[0]);
        return record(out, g -> {
            Tensor[] gs = new Tensor[sizes.length];
            int from = 0;
            for (int j = 0; j < sizes.length; j++) {
                gs[j] = g.slice(d, from, from + sizes[j]).contiguous();
                from += sizes[j];
            }
            return gs;
        }, inputs);
    }

    /** Views of consecutive chunks of {@code size} along {@code dim} (the last may be smaller). */
    public List<Tensor> split(int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split: size must be > 0, got " + size);
        int d = axis("split", dim);
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0; s < shape[d]; s += size) parts.add(slice(d, s, Math.min(shape[d], s + size)));
        return parts;
    }

    /** Stacks same-shape tensors along a new dim {@code dim}. */
    public static Tensor stack(List<Tensor> ts, int dim) {
        if (ts.isEmpty()) throw new IllegalArgumentException("stack: no tensors given");
        int[] s0 = ts.get(0).shape;
        List<Tensor> us = new ArrayList<>(ts.size());
        for (Tensor t : ts) {
            if (!Arrays.equals(t.shape, s0)) {
                throw new IllegalArgumentException("stack: shape " + Arrays.toString(t.shape) + " differs from "
                        + Arrays.toString(s0) + " (all must be equal)");
            }
            us.add(t.unsqueeze(dim));
        }
        return concat(us, dim < 0 ? dim + s0.length + 1 : dim);
    }

    /** Inverted dropout: zeroes each element with probability p and scales survivors by 1/(1-p). */
    public Tensor dropout(float p, RandomGenerator r, boolean training) {
        if (!(p >= 0f && p <= 1f)) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0f) return this;
        float keep = p == 1f ? 0f : 1f / (1f - p);
        float[] mask = new float[numel()];
        for (int i = 0; i < mask.length; i++) mask[i] = r.nextFloat() < p ? 0f : keep;
        return mul(Tensor.of(mask, shape));
    }

    /**
     * Cross-entropy of {@code logits [N, C]} against class ids {@code targets [N]}, averaged over rows whose target is
     * not {@code ignoreIndex}; with label smoothing ε the target distribution is (1-ε)·onehot + ε/C (PyTorch).
     * All rows ignored gives NaN, as PyTorch does.
     */
    public static Tensor crossEntropy(Tensor logits, IntTensor targets, int ignoreIndex, float labelSmoothing) {
        if (logits.shape.length != 2 || targets.dim() != 1 || targets.size(0) != logits.shape[0]) {
            throw new IllegalArgumentException("crossEntropy: logits shape " + Arrays.toString(logits.shape) + " and targets shape "
                    + Arrays.toString(targets.shape()) + " do not fit (expected [N, C] and [N])");
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        int n = logits.shape[0], c = logits.shape[1];
        int[] t = targets.data();
        float[] x = logits.dense();
        float[] lsm = new float[x.length];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] < 0 || t[i] >= c) {
                throw new IndexOutOfBoundsException("crossEntropy: target " + t[i] + " at row " + i + " out of range [0, " + c + ")");
            }
            count++;
        }
        // rows are independent: log-softmax and each row's loss over the pool, summed afterwards in row order
        double[] rowLoss = new double[n];
        rows(n, c, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                if (t[i] == ignoreIndex) continue;
                int base = i * c;
                float m = Simd.max(x, base, c);
                float s = Simd.expShiftSum(x, base, m, lsm, base, c);
                float lse = m + (float) Math.log(s);
                Simd.addScalar(x, base, -lse, lsm, base, c);
                double smooth = -Simd.sum(lsm, base, c);
                rowLoss[i] = (1 - labelSmoothing) * (double) -lsm[base + t[i]] + labelSmoothing * smooth / c;
            }
        });
        double total = 0;
        for (double v : rowLoss) total += v;
        int cnt = count;
        float loss = (float) (total / cnt);
        return result(new float[] {loss}, new int[0], g -> {
            float go = g.item() / cnt;
            float[] gx = new float[x.length];
            float offTarget = go * (labelSmoothing / c);
            rows(n, c, (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    if (t[i] == ignoreIndex) continue;
                    int base = i * c;
                    Simd.expScaleShift(lsm, base, go, offTarget, gx, base, c);
                    gx[base + t[i]] -= go * (1f - labelSmoothing);
                }
            });
            return new Tensor[] {Tensor.of(gx, n, c)};
        }, logits);
    }

    /**
     * Fused scaled dot-product attention: {@code softmax(scale·q·kᵀ + scoreBias, masked) · v}.
     *
     * @param q          {@code [B, H, Lq, D]}
     * @param k          {@code [B, H, Lk, D]}
     * @param v          {@code [B, H, Lk, Dv]}
     * @param scoreBias  null or broadcastable to {@code [B, H, Lq, Lk]}; added to the scaled scores
     * @param causal     query i attends to keys j <= i + (Lk - Lq)
     * @param keyPadding null or {@code [B, Lk]}, 1 keep, 0 masked
     * @param scale      multiplier of q·kᵀ, usually 1/sqrt(D)
     * @param probsOut   null, or an array whose element 0 receives the probabilities {@code [B, H, Lq, Lk]} (no grad)
     * @return {@code [B, H, Lq, Dv]}; query rows with every key masked are zero, never NaN. Gradients flow to q, k, v
     *         and scoreBias.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor scoreBias, boolean causal,
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
        Attend at = new Attend(Rows.of(q), Rows.of(k), Rows.of(v), bsz, h, lq, lk, d, dv, bias, causal,
                keyPadding == null ? null : keyPadding.data(), scale);
        float[] probs = new float[bsz * h * lq * lk];
        float[] out = new float[bsz * h * lq * dv];
        // (batch, head) pairs are independent: each task writes only its own rows of probs and out
        forEachTask(bsz * h, bh -> {
            if (lq == 1) at.forwardOneQuery(bh, probs, out);
            else at.forward(bh, probs, out);
        });
        if (probsOut != null && probsOut.length > 0) probsOut[0] = Tensor.of(probs.clone(), ps);
        int[] qs = q.shape.clone(), ks = k.shape.clone(), vs = v.shape.clone();
        int[] biasShape = scoreBias == null ? null : scoreBias.shape;
        return result(out, new int[] {bsz, h, lq, dv}, g -> {
            float[] go = g.dense();
            float[] gq = new float[bsz * h * lq * d], gk = new float[bsz * h * lk * d], gv = new float[bsz * h * lk * dv];
            float[] gs = biasShape == null ? null : new float[probs.length];
            // per (batch, head) task: gradients of q, k, v rows of that pair only
            forEachTask(bsz * h, bh -> {
                if (lq == 1) at.backwardOneQuery(bh, probs, go, gq, gk, gv, gs);
                else at.backward(bh, probs, go, gq, gk, gv, gs);
            });
            return new Tensor[] {Tensor.of(gq, qs), Tensor.of(gk, ks), Tensor.of(gv, vs),
                    gs == null ? null : sumTo(Tensor.of(gs, ps), biasShape)};
        }, q, k, v, scoreBias);
    }

    /**
     * The work of one attention call, per (batch, head) pair {@code bh}. Several query rows go through blocked
     * matrix products (scores = Q·Kᵀ, out = P·V, and the five products of the backward pass) on the calling thread,
     * since the pairs are already spread over the pool; under a causal mask each block of query rows multiplies
     * only the keys it can see. A single query row (a decoding step) is a few dot products and axpys over the
     * cached keys and values instead.
     *
     * <p>Probabilities {@code probs} are [B,H,Lq,Lk] row-major; masked entries are exactly 0.
     */
    private record Attend(Rows qr, Rows kr, Rows vr, int bsz, int h, int lq, int lk, int d, int dv, float[] bias,
                          boolean causal, int[] pad, float scale) {
        /** Query rows per block: a block's scores (64 × Lk) stay in L2 between the two products. */
        static final int BLOCK = 64;
        private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

        /** Keys visible to query row i: [0, limit). */
        int limit(int i) { return causal ? Math.max(0, Math.min(lk, i + lk - lq + 1)) : lk; }

        void forward(int bh, float[] probs, float[] out) {
            float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
            for (int i0 = 0; i0 < lq; i0 += BLOCK) {
                int i1 = Math.min(lq, i0 + BLOCK), kEnd = limit(i1 - 1);
                if (kEnd == 0) continue; // nothing visible: zeros
                int po = (bh * lq + i0) * lk;
                Gemm.sgemmSerial(i1 - i0, kEnd, d, qd, qr.at(bh, i0), qr.rowStride(), 1,
                        kd, kr.base()[bh], 1, kr.rowStride(), probs, po, lk, false);
                for (int i = i0; i < i1; i++) softmaxRow(bh, i, probs, (bh * lq + i) * lk, kEnd);
                Gemm.sgemmSerial(i1 - i0, dv, kEnd, probs, po, lk, 1, vd, vr.base()[bh], vr.rowStride(), 1,
                        out, (bh * lq + i0) * dv, dv, false);
            }
        }

        /** Row {@code ro} holds raw q·k for keys [0, written): scale, bias, mask, softmax; zero the rest of [0, Lk). */
        private void softmaxRow(int bh, int i, float[] probs, int ro, int written) {
            int lim = limit(i);
            float m = Simd.scaleAddMax(probs, ro, lim, scale, bias, bias == null ? 0 : ro);
            if (pad != null) {
                int pb = (bh / h) * lk;
                m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < lim; j++) {
                    if (pad[pb + j] == 0) probs[ro + j] = Float.NEGATIVE_INFINITY;
                    else if (probs[ro + j] > m) m = probs[ro + j];
                }
            }
            if (m == Float.NEGATIVE_INFINITY) { // every key masked (or a -inf bias): zeros, never NaN
                Arrays.fill(probs, ro, ro + written, 0f);
                return;
            }
            float sum = Simd.expShiftSum(probs, ro, m, probs, ro, lim);
            Simd.scale(probs, ro, 1f / sum, lim);
            if (written > lim) Arrays.fill(probs, ro + lim, ro + written, 0f);
        }

        void backward(int bh, float[] probs, float[] go, float[] gq, float[] gk, float[] gv, float[] gs) {
            float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
            float[][] holder = SCRATCH.get();
            if (holder[0].length < lq * lk) holder[0] = new float[lq * lk];
            float[] ds = holder[0]; // dP, then dS·scale, for this pair
            int p0 = bh * lq * lk;
            for (int i0 = 0; i0 < lq; i0 += BLOCK) {
                int i1 = Math.min(lq, i0 + BLOCK), kEnd = limit(i1 - 1);
                if (kEnd < lk) for (int i = i0; i < i1; i++) Arrays.fill(ds, i * lk + kEnd, (i + 1) * lk, 0f);
                if (kEnd == 0) continue; // these rows see no key: dQ stays 0
                // dP = dO·Vᵀ
                Gemm.sgemmSerial(i1 - i0, kEnd, dv, go, (bh * lq + i0) * dv, dv, 1,
                        vd, vr.base()[bh], 1, vr.rowStride(), ds, i0 * lk, lk, false);
                // dS = P ∘ (dP − Σ_j P·dP), row by row
                for (int i = i0; i < i1; i++) {
                    int ro = i * lk, po = p0 + ro;
                    float rowDot = Simd.dot(probs, po, ds, ro, kEnd);
                    Simd.softmaxGrad(probs, po, ds, ro, rowDot, kEnd);
                    if (gs != null) System.arraycopy(ds, ro, gs, po, lk);
                    Simd.scale(ds, ro, scale, kEnd);
                }
                // dQ = dS·K·scale
                Gemm.sgemmSerial(i1 - i0, d, kEnd, ds, i0 * lk, lk, 1, kd, kr.base()[bh], kr.rowStride(), 1,
                        gq, (bh * lq + i0) * d, d, false);
            }
            // dV = Pᵀ·dO and dK = dSᵀ·Q·scale, per block of keys over the query rows that can see them
            for (int j0 = 0; j0 < lk; j0 += BLOCK) {
                int j1 = Math.min(lk, j0 + BLOCK);
                int iStart = causal ? Math.max(0, j0 - (lk - lq)) : 0;
                Gemm.sgemmSerial(j1 - j0, dv, lq - iStart, probs, p0 + iStart * lk + j0, 1, lk,
                        go, (bh * lq + iStart) * dv, dv, 1, gv, (bh * lk + j0) * dv, dv, false);
                Gemm.sgemmSerial(j1 - j0, d, lq - iStart, ds, iStart * lk + j0, 1, lk,
                        qd, qr.at(bh, iStart), qr.rowStride(), 1, gk, (bh * lk + j0) * d, d, false);
            }
        }

        void forwardOneQuery(int bh, float[] probs, float[] out) {
            float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
            int kb = kr.base()[bh], kRs = kr.rowStride(), vb = vr.base()[bh], vRs = vr.rowStride();
            int qo = qr.at(bh, 0), po = bh * lk, lim = limit(0);
            for (int j = 0; j < lim; j++) probs[po + j] = Simd.dot(qd, qo, kd, kb + j * kRs, d);
            softmaxRow(bh, 0, probs, po, lim);
            int oo = bh * dv;
            for (int j = 0; j < lim; j++) {
                float p = probs[po + j];
                if (p != 0f) Simd.axpy(p, vd, vb + j * vRs, out, oo, dv);
            }
        }

        void backwardOneQuery(int bh, float[] probs, float[] go, float[] gq, float[] gk, float[] gv, float[] gs) {
            float[] qd = qr.data(), kd = kr.data(), vd = vr.data();
            int kb = kr.base()[bh], kRs = kr.rowStride(), vb = vr.base()[bh], vRs = vr.rowStride();
            int po = bh * lk, oo = bh * dv, qo = qr.at(bh, 0), gqo = bh * d;
            float[] dp = new float[lk];
            double rowDot = 0;
            for (int j = 0; j < lk; j++) {
                float p = probs[po + j];
                if (p == 0f) continue;
                Simd.axpy(p, go, oo, gv, (bh * lk + j) * dv, dv);
                dp[j] = Simd.dot(go, oo, vd, vb + j * vRs, dv);
                rowDot += p * dp[j];
            }
            for (int j = 0; j < lk; j++) {
                float p = probs[po + j];
                if (p == 0f) continue;
                float s = p * (dp[j] - (float) rowDot);
                if (gs != null) gs[po + j] = s;
                Simd.axpy(s * scale, kd, kb + j * kRs, gq, gqo, d);
                Simd.axpy(s * scale, qd, qo, gk, (bh * lk + j) * d, d);
            }
        }
    }

    /**
     * A [B,H,L,D] operand addressed in place: row j of pair bh starts at {@code base[bh] + j*rowStride} and its D
     * elements are contiguous. Operands whose last dim is strided are copied to row-major first.
     */
    private record Rows(float[] data, int[] base, int rowStride) {
        static Rows of(Tensor t) {
            int b = t.shape[0], h = t.shape[1], l = t.shape[2], d = t.shape[3];
            int[] base = new int[b * h];
            if (d > 1 && t.strides[3] != 1) {
                for (int bh = 0; bh < base.length; bh++) base[bh] = bh * l * d;
                return new Rows(t.dense(), base, d);
            }
            for (int bh = 0; bh < base.length; bh++) base[bh] = t.offset + (bh / h) * t.strides[0] + (bh % h) * t.strides[1];
            return new Rows(t.data, base, t.strides[2]);
        }

        int at(int bh, int row) { return base[bh] + row * rowStride; }
    }

    // ------------------------------------------------------------------ helpers

    /** Splits {@code count} rows of {@code rowLen} elements over the pool in chunks of at least ~32K elements. */
    private static void rows(int count, int rowLen, Parallel.RangeBody body) {
        Parallel.parallelRange(count, Math.max(1, 32768 / Math.max(1, rowLen)), body);
    }

    /** Runs {@code body} for 0 <= i < n; tasks must write disjoint memory. */
    private static void forEachTask(int n, java.util.function.IntConsumer body) {
        Parallel.parallelFor(n, body);
    }

    /** The elements row-major: the backing array itself when it is exactly that (callers must not write it). */
    float[] dense() {
        if (offset == 0 && data.length == numel() && isContiguous()) return data;
        return toArray();
    }

    /** Row-major elements of {@code t} broadcast to {@code target}. */
    private static float[] gather(Tensor t, int[] target) {
        if (Arrays.equals(t.shape, target)) return t.dense();
        int lead = target.length - t.shape.length;
        int[] st = new int[target.length];
        for (int i = lead; i < target.length; i++) st[i] = t.shape[i - lead] == 1 ? 0 : t.strides[i - lead];
        float[] out = new float[(int) checkedNumel("broadcast", target)];
        copyStrided(t.data, t.offset, target, st, out, 0, rowMajor(target));
        return out;
    }

    /** Copies the strided block {@code shape} from src to dst, each with its own offset and strides. */
    private static void copyStrided(float[] src, int so, int[] shape, int[] ss, float[] dst, int dof, int[] ds) {
        int nd = shape.length;
        if (nd == 0) {
            dst[dof] = src[so];
            return;
        }
        for (int s : shape) if (s == 0) return;
        int last = shape[nd - 1], sl = ss[nd - 1], dl = ds[nd - 1];
        int[] idx = new int[nd - 1];
        while (true) {
            int sp = so, dp = dof;
            for (int i = 0; i < nd - 1; i++) {
                sp += idx[i] * ss[i];
                dp += idx[i] * ds[i];
            }
            if (sl == 1 && dl == 1) {
                System.arraycopy(src, sp, dst, dp, last);
            } else {
                for (int j = 0; j < last; j++) dst[dp + j * dl] = src[sp + j * sl];
            }
            int i = nd - 2;
            for (; i >= 0; i--) {
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
            if (i < 0) return;
        }
    }

    /** Sums {@code g} down to {@code target} (undoing broadcasting). */
    private static Tensor sumTo(Tensor g, int[] target) {
        if (Arrays.equals(g.shape, target)) return g;
        Tensor r = g;
        while (r.shape.length > target.length) r = r.sum(0, false);
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 1 && r.shape[i] != 1) r = r.sum(i, true);
        }
        if (!Arrays.equals(r.shape, target)) {
            throw new IllegalStateException("gradient of shape " + Arrays.toString(g.shape) + " cannot be reduced to "
                    + Arrays.toString(target));
        }
        return r;
    }

    static int[] broadcastShape(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            int x = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int y = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (expected equal sizes or 1 in each trailing dim)");
            }
            s[i] = x == 1 ? y : x;
        }
        return s;
    }

    private static int[] rowMajor(int[] shape) {
        int[] st = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= Math.max(1, shape[i]);
        }
        return st;
    }

    private static long checkedNumel(String op, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
            }
        }
        return n;
    }

    private int axis(String op, int dim) {
        int d = dim < 0 ? dim + shape.length : dim;
        if (d < 0 || d >= shape.length) {
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for shape " + Arrays.toString(shape));
        }
        return d;
    }

    private int innerSize(int d) {
        int n = 1;
        for (int i = d + 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    private int outerSize(int d) {
        int n = 1;
        for (int i = 0; i < d; i++) n *= shape[i];
        return n;
    }

    private int lastDim(String op) {
        if (shape.length == 0) throw new IllegalArgumentException(op + ": needs at least 1 dim, got a 0-d tensor");
        return shape[shape.length - 1];
    }

    private void checkVector(String op, String name, Tensor t, int n) {
        if (t != null && (t.shape.length != 1 || t.shape[0] != n)) {
            throw new IllegalArgumentException(op + ": " + name + " shape " + Arrays.toString(t.shape) + " does not fit input shape "
                    + Arrays.toString(shape) + " (expected [" + n + "])");
        }
    }

    private static int[] removeDim(int[] s, int d) {
        int[] r = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) r[j++] = s[i];
        return r;
    }

    @Override public String toString() {
        return "Tensor" + Arrays.toString(shape) + (requiresGrad ? " requiresGrad" : node != null ? " (grad fn)" : "");
    }
}
