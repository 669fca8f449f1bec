package org.ablate.tensor;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Every op that runs on the kernel backend, forward and backward, on fixed inputs: each child JVM of
 * {@code VectorWidthTest} writes these results at its forced width, and the test compares them with the results of
 * the scalar reference backend. The shapes take every matrix-product path (one row, a short prompt times a weight,
 * blocked, batched), softmax over the last and an inner dim, both norms, both GELUs, broadcasting arithmetic, the
 * loss, embedding, and attention with causal, padding and bias masks, a decoding step and several query blocks.
 */
public final class WidthOps {
    private WidthOps() {}

    /** Output name to values, in a fixed order. */
    static Map<String, float[]> compute() {
        Map<String, float[]> r = new LinkedHashMap<>();
        op(r, "matmul one row", t -> t[0].matmul(t[1]), rand(1, 1, 64), rand(2, 64, 300));
        op(r, "linear one row", t -> t[0].linear(t[1], t[2]), rand(37, 1, 70), rand(38, 300, 70), rand(39, 300)); // a decoding step
        op(r, "linear short prompt", t -> t[0].linear(t[1], t[2]), rand(3, 5, 64), rand(4, 96, 64), rand(5, 96));
        op(r, "linear blocked", t -> t[0].linear(t[1], null), rand(6, 70, 33), rand(7, 50, 33));
        op(r, "linear deep", t -> t[0].linear(t[1], t[2]), rand(34, 40, 600), rand(35, 70, 600), rand(36, 70)); // k panels and parts
        op(r, "linear many rows", t -> t[0].linear(t[1], t[2]), rand(40, 640, 96), rand(41, 200, 96), rand(42, 200)); // row blocks at home
        op(r, "matmul batched", t -> t[0].matmul(t[1]), rand(8, 2, 3, 17, 9), rand(9, 2, 3, 9, 11));
        op(r, "softmax", t -> t[0].mul(3f).softmax(-1), rand(10, 7, 33));
        op(r, "softmax inner dim", t -> t[0].softmax(0), rand(11, 5, 6));
        op(r, "logSoftmax", t -> t[0].logSoftmax(-1), rand(12, 7, 65));
        op(r, "layerNorm", t -> t[0].layerNorm(t[1], t[2], 1e-5f), rand(13, 6, 50), rand(14, 50), rand(15, 50));
        op(r, "rmsNorm", t -> t[0].rmsNorm(t[1], 1e-6f), rand(16, 6, 50), rand(17, 50));
        op(r, "gelu", t -> t[0].mul(3f).gelu(), rand(18, 1000));
        op(r, "geluTanh", t -> t[0].mul(3f).geluTanh(), rand(19, 1000));
        op(r, "broadcast arithmetic", t -> t[0].add(t[1]).mul(t[0]).div(t[1].abs().add(1f)).sub(t[1]), rand(20, 4, 33), rand(21, 33));
        IntTensor targets = IntTensor.vector(3, 0, 36, 5, -100, 7, 1, 2);
        op(r, "crossEntropy", t -> Tensor.crossEntropy(t[0], targets, -100, 0.1f), rand(22, 8, 37));
        IntTensor ids = IntTensor.of(new int[] {1, 4, 1, 0, 9, 4}, 2, 3);
        op(r, "embedding", t -> Tensor.embedding(t[0], ids), rand(23, 10, 17));
        IntTensor pad = IntTensor.of(new int[140], 2, 70);
        for (int i = 0; i < 140; i++) pad.data()[i] = i == 3 || i >= 130 ? 0 : 1;
        op(r, "attention causal padded biased", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], t[3], true, pad, 0.25f, null),
                rand(24, 2, 3, 70, 16), rand(25, 2, 3, 70, 16), rand(26, 2, 3, 70, 16), rand(27, 1, 3, 70, 70));
        op(r, "attention decoding step", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], null, true, null, 0.2f, null),
                rand(28, 2, 2, 1, 24), rand(29, 2, 2, 37, 24), rand(30, 2, 2, 37, 8));
        op(r, "attention cross", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], null, false, null, 0.5f, null),
                rand(31, 1, 2, 5, 8), rand(32, 1, 2, 9, 8), rand(33, 1, 2, 9, 12));
        return r;
    }

    private static Tensor rand(long seed, int... shape) { return Tensor.randn(new SplittableRandom(seed), 1f, shape); }

    /** Records the output of f and the gradient of every input under fixed random output weights. */
    private static void op(Map<String, float[]> r, String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor t : inputs) t.requiresGrad(true);
        Tensor out = f.apply(inputs);
        r.put(name + ": output", out.toArray());
        Tensor w = rand(name.hashCode(), out.shape());
        out.mul(w).sum().backward();
        for (int i = 0; i < inputs.length; i++) {
            r.put(name + ": gradient " + i, inputs[i].grad() == null ? new float[0] : inputs[i].grad().toArray());
        }
    }

    /** Writes {@link #compute()} to {@code file}. */
    public static void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            Map<String, float[]> r = compute();
            out.writeInt(r.size());
            for (Map.Entry<String, float[]> e : r.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                for (float v : e.getValue()) out.writeFloat(v);
            }
        }
    }

    /** Reads what {@link #write} wrote. */
    public static Map<String, float[]> read(Path file) throws IOException {
        Map<String, float[]> r = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                float[] v = new float[in.readInt()];
                for (int j = 0; j < v.length; j++) v[j] = in.readFloat();
                r.put(name, v);
            }
        }
        return r;
    }

    /**
     * Differences between two result sets beyond rounding: each value within 1e-4 of the reference, relative to the
     * largest magnitude of its output (sums taken in another order differ by far less; a wrong kernel by far more).
     */
    public static List<String> compare(Map<String, float[]> reference, Map<String, float[]> actual) {
        List<String> diffs = new java.util.ArrayList<>();
        if (!reference.keySet().equals(actual.keySet())) diffs.add("different outputs: " + reference.keySet() + " vs " + actual.keySet());
        for (Map.Entry<String, float[]> e : reference.entrySet()) {
            float[] want = e.getValue(), got = actual.get(e.getKey());
            if (got == null) continue;
            if (got.length != want.length) {
                diffs.add(e.getKey() + ": " + got.length + " values, reference " + want.length);
                continue;
            }
            double scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want.length; i++) {
                if (!(Math.abs(got[i] - want[i]) <= 1e-4 * (scale + 1e-3))) {
                    diffs.add(e.getKey() + " [" + i + "]: " + got[i] + ", reference " + want[i]);
                    break;
                }
            }
        }
        return diffs;
    }
}
