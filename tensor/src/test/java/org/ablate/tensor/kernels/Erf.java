package org.ablate.tensor.kernels;

/**
 * The error function in double, accurate to about 1e-13: the oracle for the float erf and GELU kernels of
 * {@link Simd}. Maclaurin series for |z| <= 2.5, Laplace's continued fraction for erfc beyond.
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    private Erf() {}

    /** erf(z), slow and accurate. */
    public static double reference(double z) {
        double a = Math.abs(z);
        double r;
        if (a <= 2.5) {
            // Maclaurin series; its terms stay below e^6.25, so double keeps about 13 significant digits
            double z2 = a * a, term = a, sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -z2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = sum * TWO_OVER_SQRT_PI;
        } else {
            // erfc(a) = e^{-a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail
            double t = a;
            for (int n = 60; n >= 1; n--) t = a + (n / 2.0) / t;
            r = 1.0 - Math.exp(-a * a) / Math.sqrt(Math.PI) / t;
        }
        return z < 0 ? -r : r;
    }
}
