package org.ablate.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a vector's lanes in one fixed order: lane i with lane i + L/2, then the halves again, down to one
 * lane. {@code reduceLanes(ADD)} may add in one order before the JIT compiles a loop and in another after, so a
 * dot product could round differently in a cold and a warm JVM, and a resumed run would not repeat an
 * uninterrupted one bit for bit. Swapping halves with a constant shuffle is one permute and one add per level
 * once compiled (the same work as the built-in reduction), and the same additions before.
 */
final class LaneSum {
    private static final VectorSpecies<Float> S = Simd.S;
    private static final int L = S.length();
    // One constant shuffle per level (static final, so the JIT folds them): lane i with lane i ^ h.
    private static final VectorShuffle<Float> SWAP8 = swap(8), SWAP4 = swap(4), SWAP2 = swap(2), SWAP1 = swap(1);

    private LaneSum() {}

    static float sum(FloatVector v) {
        if (v.species() != S || L > 16) return ordered(v);
        if (L >= 16) v = v.add(v.rearrange(SWAP8));
        if (L >= 8) v = v.add(v.rearrange(SWAP4));
        if (L >= 4) v = v.add(v.rearrange(SWAP2));
        if (L >= 2) v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    /**
     * {@link #sum(FloatVector)} of a vector of {@code length} lanes stored at {@code t[at...]}, the same additions in
     * the same order (the halving tree adds lane i and lane i + h, as the swap does), so a kernel can reduce its sums
     * without passing vectors to a call the JIT may not inline (a vector passed so is boxed: an allocation per call).
     * The lanes are summed in place: t[at...] is scratch afterwards.
     */
    static float sum(float[] t, int at, int length) {
        if (length != L || L > 16) {
            float s = 0f;
            for (int i = 0; i < length; i++) s += t[at + i];
            return s;
        }
        for (int half = length / 2; half >= 1; half /= 2) {
            for (int i = at; i < at + half; i++) t[i] = t[i] + t[i + half];
        }
        return t[at];
    }

    /** Left to right, for a vector of another width (not used by the kernels, kept exact anyway). */
    private static float ordered(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    /** Exchanges lanes i and i ^ h (the identity where h is not below the width). */
    private static VectorShuffle<Float> swap(int h) {
        return VectorShuffle.fromOp(S, i -> h < L ? i ^ h : i);
    }
}
