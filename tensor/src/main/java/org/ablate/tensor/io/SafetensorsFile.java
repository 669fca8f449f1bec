package org.ablate.tensor.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
    /** Closed with this file; null when it was opened {@link Safetensors#openInPlace in place}. */
    private final Arena arena;
    /** The open file: F32 tensors are read through it (see {@link #readF32}); closed with the mapping. */
    private final FileChannel channel;
    /** The chunk F32 reads go through, made on the first. */
    private ByteBuffer chunk;
    private final MemorySegment data;
    /** Where {@link #data} starts in the file. */
    private final long dataStart;
    private final Map<String, TensorInfo> infos;
    private final Map<String, String> metadata;

    SafetensorsFile(Path path, Arena arena, FileChannel channel, MemorySegment data, long dataStart, Map<String, TensorInfo> infos,
                    Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.channel = channel;
        this.data = data;
        this.dataStart = dataStart;
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
        float[] out = new float[elements(t)];
        readInto(name, out, 0);
        return Tensor.of(out, t.intShape());
    }

    /**
     * A F32 tensor used in place: its elements are read from the mapped file, not copied ({@link Tensor#mapped}).
     * Only for a file opened with {@link Safetensors#openInPlace}.
     *
     * @throws SafetensorsException naming the file and tensor if it is not F32, or holds a NaN or an infinity
     */
    public MemorySegment mapped(String name) throws SafetensorsException {
        if (arena != null) {
            throw new IllegalStateException(path + ": opened with Safetensors.open, whose mapping closes with the file; "
                    + "use Safetensors.openInPlace to use tensors in place");
        }
        TensorInfo t = info(name);
        if (t.dtype() != DType.F32) {
            throw new SafetensorsException(path, "tensor \"" + name + "\" has dtype " + t.dtype() + "; only F32 tensors are used in place");
        }
        int n = elements(t);
        MemorySegment seg = data.asSlice(t.begin(), t.end() - t.begin());
        long bad = Safetensors.firstNonFinite(seg, n);
        if (bad >= 0) {
            float[] own = new float[n]; // described on a copy, as readInto does
            MemorySegment.copy(seg, F32, 0, own, 0, n);
            throw new SafetensorsException(path, "tensor \"" + name + "\" " + Safetensors.describe(own, (int) bad, t.intShape())
                    + "; expected finite weights");
        }
        return seg;
    }

    /**
     * Reads a F32, F16 or BF16 tensor as float32 into {@code dst} from {@code offset} (row-major), straight from the
     * mapped file, with the checks of {@link #tensor}.
     *
     * @throws SafetensorsException as {@link #tensor}, or naming the tensor if {@code dst} has no room for it
     */
    public void readInto(String name, float[] dst, int offset) throws SafetensorsException {
        TensorInfo t = info(name);
        int n = elements(t);
        if (offset < 0 || offset > dst.length - n) {
            throw new SafetensorsException(path, "tensor \"" + name + "\" has " + n + " elements, the destination holds "
                    + (dst.length - offset) + " from offset " + offset);
        }
        MemorySegment seg = data.asSlice(t.begin(), t.end() - t.begin());
        switch (t.dtype()) {
            case F32 -> readF32(t, dst, offset, n);
            case F16 -> { for (int i = 0; i < n; i++) dst[offset + i] = Float.float16ToFloat(seg.getAtIndex(I16, i)); }
            case BF16 -> { for (int i = 0; i < n; i++) dst[offset + i] = Float.intBitsToFloat((seg.getAtIndex(I16, i) & 0xFFFF) << 16); }
            default -> throw new SafetensorsException(path, "tensor \"" + name + "\" has dtype " + t.dtype()
                    + ", expected F32, F16 or BF16 for a float tensor" + (t.dtype().isInteger() ? " (read it with ints())" : ""));
        }
        int bad = Safetensors.firstNonFinite(dst, offset, offset + n);
        if (bad >= 0) { // described on a copy of just this tensor
            float[] own = Arrays.copyOfRange(dst, offset, offset + n);
            throw new SafetensorsException(path, "tensor \"" + name + "\" " + Safetensors.describe(own, bad - offset, t.intShape())
                    + "; expected finite weights");
        }
    }

    /**
     * F32 values read from the file with positional reads through a small buffer rather than from the mapping:
     * pages touched through a mapping count in the process's resident memory until it closes, so a loaded model
     * would hold its weights twice (the mapped file and the arrays); read, only the arrays stay.
     */
    private synchronized void readF32(TensorInfo t, float[] dst, int offset, int n) throws SafetensorsException {
        if (chunk == null) chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long at = dataStart + t.begin();
        int done = 0;
        try {
            while (done < n) {
                chunk.clear().limit(Math.min(chunk.capacity(), (n - done) * Float.BYTES));
                while (chunk.hasRemaining()) {
                    if (channel.read(chunk, at + (long) done * Float.BYTES + chunk.position()) < 0) {
                        throw new SafetensorsException(path, "tensor \"" + t.name() + "\": the file ended while reading it");
                    }
                }
                chunk.flip();
                int count = chunk.remaining() / Float.BYTES;
                chunk.asFloatBuffer().get(dst, offset + done, count);
                done += count;
            }
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafetensorsException(path, "cannot read tensor \"" + t.name() + "\": " + e.getMessage(), e);
        }
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

    @Override public void close() {
        if (arena != null) arena.close();
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot close: " + e.getMessage(), e);
        }
    }
}
