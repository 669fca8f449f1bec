package org.ablate.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reading B from a memory-mapped weight. The products never compute on the file's pages directly: each task copies
 * the block of weight rows it is about to use into a small per-thread array (one sequential read of the file, the
 * same the array kernels would do), then runs the array kernels on it, so a mapped weight gives bit for bit the
 * result of the same values in an array.
 */
final class MappedWeights {
    /** Little-endian float32, the layout of safetensors files. */
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ThreadLocal<float[][]> STAGE = ThreadLocal.withInitial(() -> new float[1][0]);

    private MappedWeights() {}

    /** This thread's staging array, at least {@code size} floats (kept between calls). */
    static float[] stage(int size) {
        float[][] holder = STAGE.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /**
     * Copies {@code rows} runs of {@code length} floats, the first at float {@code from} of {@code src} and each
     * {@code step} floats after the one before, into {@code dst} from {@code at}, each {@code length} after the last.
     */
    static void copyRows(MemorySegment src, long from, long step, int rows, int length, float[] dst, int at) {
        if (step == length) {
            MemorySegment.copy(src, FLOAT, from * Float.BYTES, dst, at, rows * length);
            return;
        }
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, FLOAT, (from + r * step) * Float.BYTES, dst, at + r * length, length);
        }
    }
}
