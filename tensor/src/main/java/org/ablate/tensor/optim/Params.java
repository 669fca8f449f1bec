package org.ablate.tensor.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.ablate.tensor.Tensor;

/** Shared checks and array access for the optimizers. */
final class Params {
    private Params() {}

    static List<Tensor> check(String op, Collection<Tensor> params) {
        List<Tensor> out = new ArrayList<>(params);
        for (int i = 0; i < out.size(); i++) {
            Tensor p = out.get(i);
            if (!p.isContiguous()) {
                throw new IllegalArgumentException(op + ": parameter " + i + " of shape " + Arrays.toString(p.shape())
                        + " is not contiguous (updates are made in place)");
            }
        }
        return out;
    }

    /** The gradient of p as a row-major array, or null when it has none. */
    static float[] grad(Tensor p) {
        Tensor g = p.grad();
        if (g == null) return null;
        if (g.isContiguous() && g.offset() == 0 && g.data().length == g.numel()) return g.data();
        return g.toArray();
    }

    static Tensor stateTensor(String op, Map<String, Tensor> state, String key, int[] shape) {
        Tensor t = state.get(key);
        if (t == null) throw new IllegalArgumentException(op + ": state has no entry " + key);
        if (shape != null && !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": state entry " + key + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    /** A long as three floats of 22 bits each (integers below 2^24 are exact in float), so state restores bit for bit. */
    static Tensor encodeLong(long x) {
        return Tensor.of(new float[] {x & 0x3FFFFF, (x >>> 22) & 0x3FFFFF, (x >>> 44) & 0xFFFFF}, 3);
    }

    static long decodeLong(String op, Map<String, Tensor> state, String key) {
        float[] f = stateTensor(op, state, key, new int[] {3}).toArray();
        return (long) f[0] | ((long) f[1] << 22) | ((long) f[2] << 44);
    }

    static Tensor encodeDouble(double x) { return encodeLong(Double.doubleToRawLongBits(x)); }

    static double decodeDouble(String op, Map<String, Tensor> state, String key) {
        return Double.longBitsToDouble(decodeLong(op, state, key));
    }
}
