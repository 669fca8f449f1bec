package org.ablate.tensor;

import static org.ablate.tensor.Autograd.needsGrad;
import static org.ablate.tensor.Autograd.record;
import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.broadcastShape;
import static org.ablate.tensor.Layout.checkedNumel;
import static org.ablate.tensor.Layout.rowMajor;
import static org.ablate.tensor.Layout.sumTo;

import java.util.Arrays;
import org.ablate.tensor.kernels.Kernels;
import org.ablate.tensor.kernels.Parallel;

/** Matrix products, forward and backward: batched {@code matmul} with broadcasting, and {@code linear}. */
final class MatrixProducts {
    private static final Kernels K = Kernels.ACTIVE;

    private MatrixProducts() {}

    static Tensor matmul(Tensor self, Tensor o) {
        int[] shape = self.shape;
        if (shape.length == 0 || o.shape.length == 0) {
            throw new IllegalArgumentException("matmul: operands need at least 1 dim, got shapes " + Arrays.toString(shape)
                    + " and " + Arrays.toString(o.shape));
        }
        if (shape.length == 1) return matmul(self.unsqueeze(0), o).squeeze(-2);
        if (o.shape.length == 1) return matmul(self, o.unsqueeze(1)).squeeze(-1);
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
        Tensor r = matmulRaw(self, o);
        // each operand's gradient is a full product: skip the one no graph path needs
        return record("matmul", r, g -> new Tensor[] {
                needsGrad(self) ? sumTo(matmulRaw(g, o.transpose(-1, -2)), self.shape) : null,
                needsGrad(o) ? sumTo(matmulRaw(self.transpose(-1, -2), g), o.shape) : null}, self, o);
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
        float[] c = Workspace.floatsToFill(Math.toIntExact((long) batches * m * n));
        java.util.function.IntConsumer one = bi -> {
            int ao = a.offset, bo = b.offset, rest = bi;
            for (int i = batch.length - 1; i >= 0; i--) {
                int ix = rest % batch[i];
                rest /= batch[i];
                ao += ix * aBs[i];
                bo += ix * bBs[i];
            }
            K.matmul(m, n, k, a.data(), ao, a.strides[ad - 2], a.strides[ad - 1], b.data(), bo, b.strides[bd - 2],
                    b.strides[bd - 1], c, bi * m * n, n, false);
        };
        // many small products (attention heads) spread over the pool by batch; few large ones let the kernel split each
        if (batches >= Parallel.threads()) {
            Parallel.parallelFor(batches, one);
        } else {
            for (int bi = 0; bi < batches; bi++) one.accept(bi);
        }
        return new Tensor(c, 0, outShape, rowMajor(outShape));
    }

    /** Strides of {@code t}'s first {@code nd} dims aligned to {@code batch}, 0 where broadcast. */
    private static int[] broadcastStrides(Tensor t, int[] batch, int nd) {
        int[] s = new int[batch.length];
        int lead = batch.length - nd;
        for (int i = lead; i < batch.length; i++) s[i] = t.shape[i - lead] == 1 ? 0 : t.strides[i - lead];
        return s;
    }

    static Tensor linear(Tensor self, Tensor weight, Tensor bias) {
        int[] shape = self.shape;
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
        Tensor x2 = shape.length == 2 ? self : self.reshape(-1, shape[shape.length - 1]);
        // a mapped weight goes straight to the kernels, which read it in place (a transposed view would copy it)
        Tensor y = bias == null && weight.mappedRegion() == null ? matmul(x2, weight.transpose(0, 1)) : affine(x2, weight, bias);
        return shape.length == 2 ? y : y.reshape(outShape);
    }

    /**
     * {@link #linear} of one input with several weights, each result exactly the one {@code linear} gives. When the input
     * is a single row and nothing records gradients (a decoding step), the products share the pool as one job
     * ({@link Kernels#matvecMany}): a step's query, key and value projections then cost one hand-off between the
     * threads instead of three.
     */
    static Tensor[] linears(Tensor self, Tensor[] weights, Tensor[] biases) {
        if (biases.length != weights.length) {
            throw new IllegalArgumentException("linears: " + weights.length + " weights but " + biases.length + " biases");
        }
        int[] shape = self.shape;
        int k = shape.length == 0 ? -1 : shape[shape.length - 1];
        boolean together = k > 0 && self.numel() == k && weights.length > 1 && !Autograd.recording(self);
        for (int i = 0; i < weights.length && together; i++) {
            Tensor w = weights[i], b = biases[i];
            together = w.shape.length == 2 && w.shape[1] == k && (w.mappedRegion() != null || w.strides[1] == 1)
                    && !Autograd.recording(w, b) && (b == null || (b.shape.length == 1 && b.shape[0] == w.shape[0]));
        }
        Tensor[] out = new Tensor[weights.length];
        if (!together) { // many rows, gradients or odd layouts: one linear each (which also checks the shapes)
            for (int i = 0; i < weights.length; i++) out[i] = linear(self, weights[i], biases[i]);
            return out;
        }
        Tensor x = shape.length == 2 ? self : self.reshape(1, k);
        Kernels.WeightRows[] parts = new Kernels.WeightRows[weights.length];
        for (int i = 0; i < weights.length; i++) {
            Tensor w = weights[i];
            int n = w.shape[0];
            float[] c = Workspace.floatsToFill(n);
            float[] b = biases[i] == null ? null : biases[i].dense();
            java.lang.foreign.MemorySegment mapped = w.mappedRegion();
            parts[i] = mapped != null ? new Kernels.WeightRows(n, null, 0, k, mapped, b, c)
                    : new Kernels.WeightRows(n, w.data(), w.offset, w.strides[0], null, b, c);
            int[] outShape = shape.clone();
            outShape[outShape.length - 1] = n;
            out[i] = new Tensor(c, 0, outShape, rowMajor(outShape));
        }
        K.matvecMany(k, x.data(), x.offset, x.strides[1], parts);
        return out;
    }

    /**
     * {@code x·Wᵀ + b} for 2-d x in one pass over C: each row of C starts as the bias (if any) and the product
     * accumulates onto it. A {@link Tensor#mappedRegion mapped} weight is read in place. Backward: gx = g·W,
     * gW = gᵀ·x, gb = column sums of g.
     */
    private static Tensor affine(Tensor x, Tensor weight, Tensor bias) {
        int m = x.shape[0], k = x.shape[1], n = weight.shape[0];
        float[] c = Workspace.floatsToFill(Math.toIntExact((long) m * n));
        float[] b = bias == null ? null : bias.dense();
        java.lang.foreign.MemorySegment mapped = weight.mappedRegion();
        float[] xd = x.data();
        if (mapped != null) { // a whole contiguous [n, k] weight in the file: B = Wᵀ, row stride 1, column stride k
            if (b != null) K.matmulBias(m, n, k, xd, x.offset, x.strides[0], x.strides[1], mapped, 0, 1, k, b, c, 0, n);
            else K.matmul(m, n, k, xd, x.offset, x.strides[0], x.strides[1], mapped, 0, 1, k, c, 0, n, false);
        } else { // B = Wᵀ read in place: row stride 1, column stride = W's row stride
            K.matmulBias(m, n, k, xd, x.offset, x.strides[0], x.strides[1], weight.data(), weight.offset, weight.strides[1],
                    weight.strides[0], b, c, 0, n);
        }
        int[] outShape = {m, n};
        return result("linear", c, outShape, g -> {
            Tensor gx = needsGrad(x) ? matmulRaw(g, weight) : null;
            Tensor gw = needsGrad(weight) ? matmulRaw(g.transpose(0, 1), x) : null;
            if (bias == null) return new Tensor[] {gx, gw};
            Tensor gb = null;
            if (needsGrad(bias)) {
                float[] gd = g.dense();
                float[] sum = Workspace.floats(n);
                for (int i = 0; i < m; i++) K.axpy(1f, gd, i * n, sum, 0, n);
                gb = Tensor.of(sum, n);
            }
            return new Tensor[] {gx, gw, gb};
        }, bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias});
    }
}
