package org.ablate.tensor;

import static org.ablate.tensor.Autograd.result;

import java.util.Arrays;
import org.ablate.tensor.kernels.Kernels;

/** Indexing ops, forward and backward: {@code embedding} (rows of a table picked by ids). */
final class Indexing {
    private static final Kernels K = Kernels.ACTIVE;

    private Indexing() {}

    static Tensor embedding(Tensor weight, IntTensor ids) {
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
        float[] out = Workspace.floatsToFill(id.length * e);
        java.lang.foreign.MemorySegment mapped = weight.mappedRegion();
        if (mapped != null) { // rows read in place from the file
            for (int i = 0; i < id.length; i++) {
                java.lang.foreign.MemorySegment.copy(mapped, Tensor.FILE_FLOAT, (long) id[i] * e * Float.BYTES, out, i * e, e);
            }
        } else {
            // a contiguous table (a weight starts a few floats into its array) is read where it lies
            boolean inPlace = weight.isContiguous();
            float[] w = inPlace ? weight.data() : weight.dense();
            int w0 = inPlace ? weight.offset : 0;
            for (int i = 0; i < id.length; i++) System.arraycopy(w, w0 + id[i] * e, out, i * e, e);
        }
        int[] is = ids.shape();
        int[] s = Arrays.copyOf(is, is.length + 1);
        s[is.length] = e;
        return result("embedding", out, s, g -> {
            float[] gd = g.dense();
            float[] gw = Workspace.floats(v * e);
            for (int i = 0; i < id.length; i++) K.axpy(1f, gd, i * e, gw, id[i] * e, e);
            return new Tensor[] {Tensor.of(gw, v, e)};
        }, weight);
    }
}
