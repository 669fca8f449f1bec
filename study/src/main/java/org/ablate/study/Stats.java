package org.ablate.study;

import java.util.List;

/** Mean, standard deviation and Student-t intervals for the few seeds a study has. */
public final class Stats {
    private Stats() {}

    /** A sample's summary; {@code std} is the sample standard deviation (n − 1), NaN for one value. */
    public record Summary(int n, double mean, double std) {
        /** Half-width of the 95 % t-interval of the mean; NaN below two values. */
        public double halfWidth95() { return n < 2 ? Double.NaN : tQuantile975(n - 1) * std / Math.sqrt(n); }

        public double lo() { return mean - halfWidth95(); }

        public double hi() { return mean + halfWidth95(); }
    }

    public static Summary summary(List<Double> xs) {
        int n = xs.size();
        if (n == 0) return new Summary(0, Double.NaN, Double.NaN);
        double mean = 0;
        for (double x : xs) mean += x;
        mean /= n;
        if (n == 1) return new Summary(1, mean, Double.NaN);
        double ss = 0;
        for (double x : xs) ss += (x - mean) * (x - mean);
        return new Summary(n, mean, Math.sqrt(ss / (n - 1)));
    }

    /** The 97.5 % quantile of Student's t with {@code df} degrees of freedom (the factor of a two-sided 95 % interval). */
    public static double tQuantile975(int df) {
        if (df < 1) throw new IllegalArgumentException("degrees of freedom must be ≥ 1, got " + df);
        double lo = 0, hi = 1000;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (tCdf(mid, df) < 0.975) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /** P(T ≤ t) for Student's t with {@code df} degrees of freedom. */
    public static double tCdf(double t, double df) {
        double x = df / (df + t * t);
        double tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /** The regularized incomplete beta function I_x(a, b), by its continued fraction (Numerical Recipes, 6.4). */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
        if (x < (a + 1) / (a + b + 2)) return front * betaFraction(x, a, b) / a;
        return 1 - front * betaFraction(1 - x, b, a) / b;
    }

    private static double betaFraction(double x, double a, double b) {
        double tiny = 1e-300, c = 1, d = 1 - (a + b) * x / (a + 1);
        if (Math.abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 300; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) break;
        }
        return h;
    }

    /** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms). */
    static double logGamma(double x) {
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
                12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
        if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        x -= 1;
        double sum = c[0];
        for (int i = 1; i < 9; i++) sum += c[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
