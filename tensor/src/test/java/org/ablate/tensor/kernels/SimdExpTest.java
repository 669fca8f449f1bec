package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The vectorised e^x and tanh that softmax and the GELUs use: accuracy, edge values, and the same bits cold and warm. */
class SimdExpTest {
    private static final int L = Simd.S.length();

    private static float[] exp(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += L) Simd.exp(FloatVector.fromArray(Simd.S, x, i)).intoArray(out, i);
        return out;
    }

    private static float[] tanh(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += L) Simd.tanh(FloatVector.fromArray(Simd.S, x, i)).intoArray(out, i);
        return out;
    }

    @Test
    void expIsWithinTwoUlpOverTheWholeFloatRange() {
        int n = 1 << 20;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87.3f + (88.3f + 87.3f) * i / (n - 1);
        float[] y = exp(x);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double want = Math.exp(x[i]);
            double ulps = Math.abs(y[i] - want) / Math.ulp((float) want);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 2.0, "largest error " + worst + " ulp");
    }

    @Test
    void expEdgeValues() {
        float[] x = new float[L];
        float[][] cases = {
                {0f, 1f}, {Float.NEGATIVE_INFINITY, 0f}, {-100f, 0f}, {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY},
                {89f, Float.POSITIVE_INFINITY}, {1f, (float) Math.E}};
        for (float[] c : cases) {
            java.util.Arrays.fill(x, c[0]);
            assertEquals(c[1], exp(x)[0], Math.ulp(c[1]), "e^" + c[0]);
        }
        java.util.Arrays.fill(x, Float.NaN);
        assertTrue(Float.isNaN(exp(x)[0]), "e^NaN is NaN");
    }

    /**
     * Past the well-conditioned middle the clamps alone decide: up to the largest float e^x keeps a few ulp (the old
     * clamp at 127.5·ln 2 returned e^88.38 for everything above it, 29 % low at the top); just below the smallest
     * normal result it still gives e^x, then +0 from about −87.7.
     */
    @Test
    void expNearBothEndsOfTheFloatRange() {
        int n = 1 << 16;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = 88.3f + (88.7228f - 88.3f) * i / (n - 1);
        float[] y = exp(x);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double want = Math.exp(x[i]);
            assertTrue(Float.isFinite(y[i]), "e^" + x[i] + " is finite, got " + y[i]);
            worst = Math.max(worst, Math.abs(y[i] - want) / Math.ulp((float) want));
        }
        assertTrue(worst <= 16, "largest error below ln(largest float) " + worst + " ulp");
        for (int i = 0; i < n; i++) x[i] = -88.1f + 0.8f * i / (n - 1);
        y = exp(x);
        for (int i = 1; i < n; i++) {
            assertTrue(y[i] >= y[i - 1], "e^x does not fall as x rises, at " + x[i]);
            if (x[i] > -87.6f) {
                assertEquals(Math.exp(x[i]), y[i], 2 * Math.ulp((float) Math.exp(x[i])), "e^" + x[i]);
            }
        }
        assertEquals(0f, y[0], "e^" + x[0]);
    }

    @Test
    void tanhIsWithinAFewTimesTenToTheMinusSevenAbsolute() {
        int n = 1 << 16;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -12f + 24f * i / (n - 1);
        float[] t = tanh(x);
        for (int i = 0; i < n; i++) assertEquals(Math.tanh(x[i]), t[i], 3e-7, "tanh(" + x[i] + ")");
    }

    /**
     * The point of these kernels: the first (interpreted) call and a call after the JIT has compiled the loop give
     * the same bits. The Vector API's own EXP does not (it changes library once compiled).
     */
    @Test
    void sameBitsBeforeAndAfterCompilation() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] x = new float[64 * L];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 10);
        float[] coldExp = exp(x), coldTanh = tanh(x);
        float[] warmExp = coldExp, warmTanh = coldTanh;
        for (int rep = 0; rep < 30_000; rep++) {
            warmExp = exp(x);
            warmTanh = tanh(x);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(coldExp[i]), Float.floatToIntBits(warmExp[i]), "exp(" + x[i] + ")");
            assertEquals(Float.floatToIntBits(coldTanh[i]), Float.floatToIntBits(warmTanh[i]), "tanh(" + x[i] + ")");
        }
    }
}
