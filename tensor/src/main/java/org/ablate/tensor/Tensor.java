package org.ablate.tensor;

import static org.ablate.tensor.Layout.checkedNumel;
import static org.ablate.tensor.Layout.copyStrided;
import static org.ablate.tensor.Layout.rowMajor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

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
 *
 * <p>This class is the entry point; each op family keeps its forward and backward in its own package-private class
 * ({@code Views}, {@code Elementwise}, {@code Reductions}, {@code MatrixProducts}, {@code Normalization},
 * {@code Attention}, {@code Indexing}, {@code Losses}), and all of them record the graph through {@code Autograd},
 * as ops defined outside the engine with {@link CustomOp} do.
 *
 * <p>A tensor may also read its elements in place from a memory-mapped file ({@link #mapped}): weights loaded from a
 * checkpoint are used where they lie, and the matrix products and embedding lookups read them there. Anything that
 * needs the array ({@link #data()}, a view, an optimizer step) copies them into one first, once.
 */
public final class Tensor {
    /** Little-endian float32, the layout of safetensors files. */
    static final ValueLayout.OfFloat FILE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Floats before a weight's first element in its array ({@code ablate.tensor.lead}, 0 to 15, default 0; see
     * {@link #zerosOnDemand}). Array elements begin 16 bytes past an object's start, so under
     * {@code -XX:ObjectAlignmentInBytes=64} a lead of 12 starts the weight on a cache line, and with it every row whose
     * length is a multiple of 16 floats: a 64-byte vector load of such a row then never straddles two lines. Decoding
     * reads every weight row once per token, and on one core of an EPYC host it read GPT-2-small's 8 % to 18 % faster
     * so (docs/performance.md). ./ablate sets both.
     */
    static final int LEAD = lead(System.getProperty("ablate.tensor.lead"));

    /** {@code ablate.tensor.lead}: 0 when unset, else a whole number from 0 to 15. */
    static int lead(String value) {
        if (value == null || value.isBlank()) return 0;
        String v = value.strip();
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > 15) throw new IllegalArgumentException("ablate.tensor.lead must be a whole number from 0 to 15, got " + v);
        return n;
    }

    /** The elements; null while they are only {@link #mapped} or not yet needed ({@link #zerosOnDemand}). */
    private volatile float[] data;
    /** The read-only file region holding the elements while no array does; null otherwise. */
    private volatile MemorySegment mapped;
    final int offset;
    final int[] shape;
    final int[] strides;
    private boolean requiresGrad;
    private Tensor grad;
    /** How this tensor was made, when it is part of a recorded graph; null for leaves and untracked results. */
    Autograd.Node node;

    Tensor(float[] data, int offset, int[] shape, int[] strides) {
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

    /**
     * A contiguous tensor whose elements are read in place from {@code region} (little-endian float32, as safetensors
     * stores them) until something needs an array ({@link #data()}, a view, a write), which copies them once. The
     * region must stay readable as long as the tensor is used: map it with an automatic arena.
     */
    public static Tensor mapped(MemorySegment region, int... shape) {
        int[] s = shape.clone();
        long n = checkedNumel("Tensor.mapped", s);
        if (region.byteSize() != n * Float.BYTES) {
            throw new IllegalArgumentException("Tensor.mapped: shape " + Arrays.toString(s) + " needs " + n * Float.BYTES
                    + " bytes, the region has " + region.byteSize());
        }
        Tensor t = new Tensor(null, 0, s, rowMajor(s));
        t.mapped = region;
        return t;
    }

    /**
     * Zeros for a parameter, whose array is made on first use: when the parameter is about to be {@link #useMapped
     * mapped} or filled from a checkpoint, building the model allocates nothing it then throws away. A weight of two
     * or more dimensions starts {@link #LEAD} floats into its array ({@link #offset()}), so its rows lie on cache lines;
     * a bias or norm scale starts at 0, since most ops read a 1-d operand whole only when it does.
     */
    public static Tensor zerosOnDemand(int... shape) {
        int[] s = shape.clone();
        checkedNumel("Tensor.zerosOnDemand", s);
        return new Tensor(null, s.length >= 2 ? LEAD : 0, s, rowMajor(s));
    }

    /** Normal samples with mean 0 and standard deviation {@code std}, drawn from {@code r} in row-major order. */
    public static Tensor randn(RandomGenerator r, float std, int... shape) {
        Tensor t = zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextGaussian() * std);
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
        return data()[offset];
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
        MemorySegment m = mapped;
        return m != null ? m.getAtIndex(FILE_FLOAT, p) : data()[p]; // one element: no need to copy the file's
    }

    /** A row-major copy of the elements. */
    public float[] toArray() {
        float[] out = new float[numel()];
        MemorySegment m = mapped;
        if (m != null) { // read from the file without keeping an array
            MemorySegment.copy(m, FILE_FLOAT, 0, out, 0, out.length);
            return out;
        }
        copyStrided(data(), offset, shape, strides, out, 0, rowMajor(shape));
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

    /**
     * The backing array (shared with views; see {@link #offset()} and {@link #strides()}). A {@link #mapped} tensor
     * copies its elements into a new array on the first call and uses that from then on.
     */
    public float[] data() {
        float[] d = data;
        return d != null ? d : materialize();
    }

    private synchronized float[] materialize() {
        if (data == null) {
            float[] d = new float[Math.addExact(offset, numel())];
            MemorySegment m = mapped;
            if (m != null) MemorySegment.copy(m, FILE_FLOAT, 0, d, offset, numel());
            data = d;
            mapped = null;
        }
        return data;
    }

    /**
     * The file region this tensor still reads its elements from, or null once it has an array (or never had a
     * region). Kernels that take it read the same values {@link #data()} would hold.
     */
    public MemorySegment mappedRegion() { return mapped; }

    /**
     * Makes this tensor read its elements in place from {@code region} (see {@link #mapped}): for a parameter built by
     * {@link #zerosOnDemand} whose weights a checkpoint holds. Refused once the tensor has an array, since views or
     * an optimizer may already hold it.
     */
    public synchronized void useMapped(MemorySegment region) {
        long n = checkedNumel("useMapped", shape);
        if (region.byteSize() != n * Float.BYTES) {
            throw new IllegalArgumentException("useMapped: shape " + Arrays.toString(shape) + " needs " + n * Float.BYTES
                    + " bytes, the region has " + region.byteSize());
        }
        if (data != null) {
            throw new IllegalStateException("useMapped: this " + Arrays.toString(shape) + " tensor already has an array; "
                    + "only one made by zerosOnDemand and not yet read can use a mapped region");
        }
        mapped = region;
    }

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
    public Tensor detach() { return new Tensor(data(), offset, shape, strides); }

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
    public void backward() { Autograd.backward(this); }

    /** Adds {@code g} (this tensor's shape) into {@link #grad()}. */
    void accumulate(Tensor g) {
        if (grad == null) {
            grad = Tensor.of(g.toArray(), shape);
        } else {
            float[] gd = g.dense();
            float[] acc = grad.isContiguous() && grad.offset == 0 && grad.data().length == gd.length ? grad.data() : null;
            if (acc == null) {
                grad = Tensor.of(grad.toArray(), shape);
                acc = grad.data();
            }
            for (int i = 0; i < gd.length; i++) acc[i] += gd[i];
        }
    }

    // ------------------------------------------------------------------ views (Views)

    /** The same elements in a new shape; one entry may be -1 (inferred). A view when contiguous, else a copy. */
    public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }

    /** Swaps dimensions {@code a} and {@code b} (a view). */
    public Tensor transpose(int a, int b) { return Views.transpose(this, a, b); }

    /** Reorders dimensions: result dim i is input dim {@code dims[i]} (a view). */
    public Tensor permute(int... dims) { return Views.permute(this, dims); }

    /** Elements {@code start <= i < end} along {@code dim} (a view); negative start/end count from the end. */
    public Tensor slice(int dim, int start, int end) { return Views.slice(this, dim, start, end); }

    /** Broadcasts size-1 dims (and new leading dims) to {@code newShape}; -1 keeps a size (a view). */
    public Tensor expand(int... newShape) { return Views.expand(this, newShape); }

    /** Inserts a size-1 dimension at {@code dim} (in {@code [-dim()-1, dim()]}), a view. */
    public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }

    /** Removes dimension {@code dim} if its size is 1; otherwise returns this unchanged (as PyTorch). */
    public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }

    /** This tensor if already contiguous, else a row-major copy (gradient flows through unchanged). */
    public Tensor contiguous() { return Views.contiguous(this); }

    /** Joins tensors along {@code dim}; all other dims must agree. */
    public static Tensor concat(List<Tensor> ts, int dim) { return Views.concat(ts, dim); }

    /** Views of consecutive chunks of {@code size} along {@code dim} (the last may be smaller). */
    public List<Tensor> split(int size, int dim) { return Views.split(this, size, dim); }

    /** Stacks same-shape tensors along a new dim {@code dim}. */
    public static Tensor stack(List<Tensor> ts, int dim) { return Views.stack(ts, dim); }

    // ------------------------------------------------------------------ elementwise (Elementwise)

    /** Elementwise sum with broadcasting. */
    public Tensor add(Tensor o) { return Elementwise.binary(this, o, Elementwise.ADD); }
    /** Elementwise difference with broadcasting. */
    public Tensor sub(Tensor o) { return Elementwise.binary(this, o, Elementwise.SUB); }
    /** Elementwise product with broadcasting. */
    public Tensor mul(Tensor o) { return Elementwise.binary(this, o, Elementwise.MUL); }
    /** Elementwise quotient with broadcasting. */
    public Tensor div(Tensor o) { return Elementwise.binary(this, o, Elementwise.DIV); }

    /** x + v elementwise. */
    public Tensor add(float v) { return Elementwise.addScalar(this, v); }
    /** x − v elementwise. */
    public Tensor sub(float v) { return Elementwise.subScalar(this, v); }
    /** x·v elementwise. */
    public Tensor mul(float v) { return Elementwise.mulScalar(this, v); }
    /** x / v elementwise. */
    public Tensor div(float v) { return Elementwise.divScalar(this, v); }

    /** x^p elementwise. */
    public Tensor pow(float p) { return Elementwise.pow(this, p); }
    /** e^x elementwise. */
    public Tensor exp() { return Elementwise.exp(this); }
    /** Natural logarithm elementwise. */
    public Tensor log() { return Elementwise.log(this); }
    /** √x elementwise. */
    public Tensor sqrt() { return Elementwise.sqrt(this); }
    /** 1/√x elementwise. */
    public Tensor rsqrt() { return Elementwise.rsqrt(this); }
    /** tanh(x) elementwise. */
    public Tensor tanh() { return Elementwise.tanh(this); }
    /** −x elementwise. */
    public Tensor neg() { return Elementwise.neg(this); }
    /** |x| elementwise (gradient 0 at 0). */
    public Tensor abs() { return Elementwise.abs(this); }
    /** 1/(1 + e^{−x}) elementwise. */
    public Tensor sigmoid() { return Elementwise.sigmoid(this); }
    /** max(x, 0). */
    public Tensor relu() { return Elementwise.relu(this); }
    /** x·sigmoid(x). */
    public Tensor silu() { return Elementwise.silu(this); }
    /** GELU, exact erf form: x·Φ(x). */
    public Tensor gelu() { return Elementwise.gelu(this); }
    /** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public Tensor geluTanh() { return Elementwise.geluTanh(this); }

    /** 1 where x > o else 0 (broadcast; no gradient). */
    public Tensor gt(Tensor o) { return Elementwise.compare(this, o, Elementwise.GT, "gt"); }
    /** 1 where x < o else 0 (broadcast; no gradient). */
    public Tensor lt(Tensor o) { return Elementwise.compare(this, o, Elementwise.LT, "lt"); }
    /** 1 where x >= o else 0 (broadcast; no gradient). */
    public Tensor ge(Tensor o) { return Elementwise.compare(this, o, Elementwise.GE, "ge"); }
    /** 1 where x <= o else 0 (broadcast; no gradient). */
    public Tensor le(Tensor o) { return Elementwise.compare(this, o, Elementwise.LE, "le"); }
    /** 1 where x == o else 0 (broadcast; no gradient). */
    public Tensor eq(Tensor o) { return Elementwise.compare(this, o, Elementwise.EQ, "eq"); }
    /** 1 where x > v else 0 (no gradient). */
    public Tensor gt(float v) { return gt(scalar(v)); }
    /** 1 where x < v else 0 (no gradient). */
    public Tensor lt(float v) { return lt(scalar(v)); }
    /** 1 where x >= v else 0 (no gradient). */
    public Tensor ge(float v) { return ge(scalar(v)); }
    /** 1 where x <= v else 0 (no gradient). */
    public Tensor le(float v) { return le(scalar(v)); }
    /** 1 where x == v else 0 (no gradient). */
    public Tensor eq(float v) { return eq(scalar(v)); }

    /** Elementwise {@code cond != 0 ? a : b}, all three broadcast together; gradients flow to a and b. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Elementwise.where(cond, a, b); }

    /** {@code value} where {@code mask != 0} (mask broadcasts to this shape), else this tensor's element. */
    public Tensor maskedFill(Tensor mask, float value) { return Elementwise.maskedFill(this, mask, value); }

    // ------------------------------------------------------------------ reductions (Reductions)

    /** Sum of all elements, as a 0-d tensor. */
    public Tensor sum() { return Reductions.sum(this); }

    /** Sum along {@code dim}; keeps it as size 1 when {@code keepdim}. */
    public Tensor sum(int dim, boolean keepdim) { return Reductions.sum(this, dim, keepdim); }

    /** Mean of all elements, as a 0-d tensor. */
    public Tensor mean() { return sum().div(numel()); }

    /** Mean along {@code dim}. */
    public Tensor mean(int dim, boolean keepdim) { return sum(dim, keepdim).div(shape[axis("mean", dim)]); }

    /** Maximum along {@code dim}; the gradient goes to the first maximal element. */
    public Tensor max(int dim, boolean keepdim) { return Reductions.max(this, dim, keepdim); }

    /** Index of the first maximum along {@code dim}; the result drops that dim. */
    public IntTensor argmax(int dim) { return Reductions.argmax(this, dim); }

    // ------------------------------------------------------------------ matrix products (MatrixProducts)

    /**
     * Matrix product. {@code [..., M, K] x [..., K, N] -> [..., M, N]} with broadcast batch dims; a 1-d left operand
     * is a row vector and a 1-d right operand a column vector (their dim is dropped from the result). Strided and
     * transposed operands are read in place, without copies.
     */
    public Tensor matmul(Tensor o) { return MatrixProducts.matmul(this, o); }

    /**
     * Affine map {@code x·Wᵀ + b}: x {@code [..., in]}, weight {@code [out, in]} (read transposed without a copy),
     * bias {@code [out]} or null; result {@code [..., out]}.
     */
    public Tensor linear(Tensor weight, Tensor bias) { return MatrixProducts.linear(this, weight, bias); }

    /**
     * {@link #linear} of this input with each of {@code weights} (and the bias at the same index, or null): the same
     * results, bit for bit. A single row that records no gradients (a decoding step's projections) runs all the
     * products as one parallel job.
     */
    public Tensor[] linears(Tensor[] weights, Tensor[] biases) { return MatrixProducts.linears(this, weights, biases); }

    // ------------------------------------------------------------------ softmax and norms (Normalization)

    /** Softmax along {@code dim}. */
    public Tensor softmax(int dim) { return Normalization.softmax(this, dim, false); }

    /** log(softmax(x)) along {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) { return Normalization.softmax(this, dim, true); }

    /**
     * Layer normalisation over the last dim: {@code (x - mean) / sqrt(var + eps) * weight + bias}, biased variance.
     * weight and bias are {@code [N]} or null.
     */
    public Tensor layerNorm(Tensor weight, Tensor bias, float eps) { return Normalization.layerNorm(this, weight, bias, eps); }

    /** RMS normalisation over the last dim: {@code x / sqrt(mean(x²) + eps) * weight}; weight {@code [N]} or null. */
    public Tensor rmsNorm(Tensor weight, float eps) { return Normalization.rmsNorm(this, weight, eps); }

    // ------------------------------------------------------------------ indexing (Indexing)

    /** Rows of {@code weight [V, E]} picked by {@code ids}: result {@code ids.shape + [E]}; repeated ids accumulate grad. */
    public static Tensor embedding(Tensor weight, IntTensor ids) { return Indexing.embedding(weight, ids); }

    // ------------------------------------------------------------------ regularisation

    /** Inverted dropout: zeroes each element with probability p and scales survivors by 1/(1-p). */
    public Tensor dropout(float p, RandomGenerator r, boolean training) {
        if (!(p >= 0f && p <= 1f)) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0f) return this;
        float keep = p == 1f ? 0f : 1f / (1f - p);
        float[] mask = Workspace.floatsToFill(numel());
        for (int i = 0; i < mask.length; i++) mask[i] = r.nextFloat() < p ? 0f : keep;
        return mul(Tensor.of(mask, shape));
    }

    // ------------------------------------------------------------------ losses (Losses)

    /**
     * Cross-entropy of {@code logits [N, C]} against class ids {@code targets [N]}, averaged over rows whose target is
     * not {@code ignoreIndex}; with label smoothing ε the target distribution is (1-ε)·onehot + ε/C (PyTorch).
     * All rows ignored gives NaN, as PyTorch does.
     */
    public static Tensor crossEntropy(Tensor logits, IntTensor targets, int ignoreIndex, float labelSmoothing) {
        return Losses.crossEntropy(logits, targets, ignoreIndex, labelSmoothing);
    }

    // ------------------------------------------------------------------ attention (Attention)

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
        return Attention.scaledDotProductAttention(q, k, v, scoreBias, causal, keyPadding, scale, probsOut);
    }

    // ------------------------------------------------------------------ helpers

    /** The elements row-major: the backing array itself when it is exactly that (callers must not write it). */
    float[] dense() {
        float[] d = data();
        if (offset == 0 && d.length == numel() && isContiguous()) return d;
        float[] out = Workspace.floatsToFill(numel());
        copyStrided(d, offset, shape, strides, out, 0, rowMajor(shape));
        return out;
    }

    /** A zeroed tensor for an op's result or gradient: from the step's {@link Workspace} when one is open. */
    static Tensor scratch(int... shape) {
        return new Tensor(Workspace.floats(Math.toIntExact(checkedNumel("scratch", shape))), 0, shape.clone(), rowMajor(shape));
    }

    /** {@code dim} as an index into the shape; negative dims count from the end. */
    int axis(String op, int dim) {
        int d = dim < 0 ? dim + shape.length : dim;
        if (d < 0 || d >= shape.length) {
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for shape " + Arrays.toString(shape));
        }
        return d;
    }

    @Override public String toString() {
        return "Tensor" + Arrays.toString(shape) + (requiresGrad ? " requiresGrad" : node != null ? " (grad fn " + node.op() + ")" : "");
    }
}
