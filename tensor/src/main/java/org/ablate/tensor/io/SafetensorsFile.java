package org.ablate.tensor.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * An open, memory-mapped safetensors file whose header has been validated. Tensors are copied out
 * on request ({@link #tensor} converts F16 and BF16 to float32 and refuses NaN and infinities), so they stay valid after
 * {@link #close()}. Not thread-safe to close while reading.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> infos;
    private final Map<String, String> metadata;

    SafetensorsFile(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> infos, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.infos = Collections.unmodifiableMap(infos);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    public Path path() { return path; }

    /** Tensor names in header order. */
    public Set<String> names() { return infos.keySet(); }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() { return metadata; }

    /** @throws SafetensorsException naming the file if there is no such tensor */
    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo t = infos.get(name);
        if (t == null) {
            throw new SafetensorsException(path, "no tensor named \"" + name + "\" (it has " + infos.size() + " tensors"
                    + (infos.isEmpty() ? "" : ", e.g. \"" + infos.keySet().iterator().next() + "\"") + ")");
        }
        return t;
    }

    /**
     * A float32 copy of a F32, F16 or BF16 tensor.
     *
     * @throws SafetensorsException naming the file and tensor if it has another dtype, or holds a NaN or an
     *         infinity (the message gives the first such element and how many there are)
     */
    public Tensor tensor(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        int n = elements(t);
        MemorySegment seg = data.asSlice(t.begin(), t.end() - t.begin());
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(seg, F32, 0, out, 0, n);
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(seg.getAtIndex(I16, i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((seg.getAtIndex(I16, i) & 0xFFFF) << 16); }
            default -> throw new SafetensorsException(path, "tensor \"" + name + "\" has dtype " + t.dtype()
                    + ", expected F32, F16 or BF16 for a float tensor" + (t.dtype().isInteger() ? " (read it with ints())" : ""));
        }
        int[] shape = t.intShape();
        int bad = Safetensors.firstNonFinite(out);
        if (bad >= 0) {
            throw new SafetensorsException(path, "tensor \"" + name + "\" " + Safetensors.describe(out, bad, shape)
                    + "; expected finite weights");
        }
        return Tensor.of(out, shape);
    }

    /** An int copy of an I64 or I32 tensor; I64 values must fit in an int. */
    public IntTensor ints(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        int n = elements(t);
        MemorySegment seg = data.asSlice(t.begin(), t.end() - t.begin());
        int[] out = new int[n];
        switch (t.dtype()) {
            case I32 -> MemorySegment.copy(seg, I32, 0, out, 0, n);
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    long v = seg.getAtIndex(I64, i);
                    if (v != (int) v) {
                        throw new SafetensorsException(path, "tensor \"" + name + "\" element " + i + " is " + v + ", outside the int range");
                    }
                    out[i] = (int) v;
                }
            }
            default -> throw new SafetensorsException(path, "tensor \"" + name + "\" has dtype " + t.dtype() + ", expected I64 or I32 for an integer tensor");
        }
        return IntTensor.of(out, t.intShape());
    }

    private int elements(TensorInfo t) throws SafetensorsException {
        for (long d : t.shape()) {
            if (d > Integer.MAX_VALUE) {
                throw new SafetensorsException(path, "tensor \"" + t.name() + "\" has a dimension of " + d + " (shape "
                        + Arrays.toString(t.shape()) + "), more than one Java array holds");
            }
        }
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(path, "tensor \"" + t.name() + "\" has " + n + " elements (shape "
                    + Arrays.toString(t.shape()) + "), more than one Java array holds");
        }
        return (int) n;
    }

    @Override public void close() { arena.close(); }
}
