package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The float erf and exact-erf GELU kernels against the double-precision reference {@link Erf#reference}. */
class SimdGeluTest {

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    /** A dense grid over [-lim, lim] whose length is not a multiple of any vector width. */
    private static float[] grid(int n, float lim) {
        float[] z = new float[n];
        for (int i = 0; i < n; i++) z[i] = -lim + 2 * lim * i / (n - 1);
        return z;
    }

    @Test
    void erfWithin1e7OfReferenceOnADenseGrid() {
        float[] z = grid(200_003, 7f);
        float[] out = new float[z.length];
        Simd.erf(z, out, 0, z.length);
        double worst = 0;
        for (int i = 0; i < z.length; i++) {
            double err = Math.abs(out[i] - Erf.reference(z[i]));
            worst = Math.max(worst, err);
            assertTrue(err <= 1e-7, "erf(" + z[i] + ") = " + out[i] + ", reference " + Erf.reference(z[i]));
        }
        assertTrue(worst > 0, "the float erf is an approximation; an exact match everywhere means the check is broken");
        // odd symmetry and the saturated ends
        float[] neg = new float[z.length], outNeg = new float[z.length];
        for (int i = 0; i < z.length; i++) neg[i] = -z[i];
        Simd.erf(neg, outNeg, 0, z.length);
        for (int i = 0; i < z.length; i++) assertEquals(-out[i], outNeg[i], 0f, "erf(" + z[i] + ") against erf(-z)");
        assertEquals(1f, out[z.length - 1], 0f);
    }

    @Test
    void erfScalarTailMatchesVectorBody() {
        // the last few elements of a ragged range take the scalar path: it must use the same approximation
        float[] z = grid(1003, 5f);
        float[] all = new float[z.length];
        Simd.erf(z, all, 0, z.length);
        for (int i = 0; i < z.length; i++) {
            float[] one = new float[z.length];
            Simd.erf(z, one, i, i + 1);
            assertEquals(all[i], one[i], 2e-7f, "erf(" + z[i] + ") scalar vs vector");
            assertEquals(Erf.reference(z[i]), one[i], 1e-7, "scalar erf(" + z[i] + ")");
        }
    }

    @Test
    void geluForwardMatchesReference() {
        for (int n : new int[] {1, 7, 15, 16, 17, 33, 100_001}) {
            float[] x = grid(Math.max(n, 2), 9f);
            float[] out = new float[x.length];
            Simd.gelu(x, out, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                double ref = 0.5 * x[i] * (1 + Erf.reference(x[i] * INV_SQRT2));
                // float rounding of x·Φ(x): a few ulps of the result plus 1e-7·|x| from erf
                double tol = 1e-7 * (1 + Math.abs(x[i])) + 3 * Math.ulp((float) Math.abs(ref));
                assertEquals(ref, out[i], tol, "gelu(" + x[i] + ") n=" + n);
            }
        }
        // the left tail keeps relative accuracy: 1 + erf(z) is computed as erfc(|z|), not by cancellation
        float[] x = {-5f, -7f, -9f};
        float[] out = new float[3];
        Simd.gelu(x, out, 0, 3);
        double[] ref = {-1.4332578593959696e-06, -8.958687807200845e-12, -1.0157295653584566e-18};
        for (int i = 0; i < 3; i++) assertEquals(ref[i], out[i], Math.abs(ref[i]) * 1e-5, "gelu(" + x[i] + ")");
    }

    @Test
    void geluBackwardMatchesAnalyticDerivative() {
        for (int n : new int[] {3, 16, 31, 50_021}) {
            float[] x = grid(n, 8f);
            float[] g = new float[n];
            for (int i = 0; i < n; i++) g[i] = 0.5f + (i % 7) * 0.25f;
            float[] gx = new float[n];
            Simd.geluBackward(x, g, gx, 0, n);
            for (int i = 0; i < n; i++) {
                double xi = x[i];
                double d = 0.5 * (1 + Erf.reference(xi * INV_SQRT2)) + xi * Math.exp(-0.5 * xi * xi) / Math.sqrt(2 * Math.PI);
                double ref = g[i] * d;
                assertEquals(ref, gx[i], 4e-7 * (1 + Math.abs(ref)), "gelu'(" + xi + ") n=" + n);
            }
        }
    }
}
