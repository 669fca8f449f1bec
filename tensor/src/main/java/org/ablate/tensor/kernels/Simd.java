package org.ablate.tensor.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised loops over dense float arrays behind the elementwise, softmax, norm and attention kernels of
 * {@link VectorKernels}, at the width of {@link VectorWidth} (the preferred one when that is {@code scalar}).
 */
final class Simd {
    static final VectorSpecies<Float> S = VectorWidth.SPECIES == null ? FloatVector.SPECIES_PREFERRED : VectorWidth.SPECIES;

    private Simd() {}

    /**
     * Per-thread lanes that the row reductions here (max, sums, dot products, softmax's max and sum of exponentials,
     * layer norm's sums) accumulate in, instead of a vector carried from one iteration to the next. In about one W2
     * run in six (two in five with a profiler attached) the JIT compiled one of those loops with the carried vector
     * boxed, so every iteration allocated: 25-390 MB per training step for the rest of the run, up to 10 % slower.
     * Through memory it never did, in the same order (the same bits) and at the same speed: these loops wait on
     * their loads and exponentials, not on the store and load of the sums.
     */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[2 * S.length()]);

    /** This thread's lanes, the first {@code vectors} vectors' worth (1 or 2) set to {@code start}. */
    private static float[] lanes(float start, int vectors) {
        float[] t = LANES.get();
        Arrays.fill(t, 0, vectors * S.length(), start);
        return t;
    }

    /** The largest of the first vector's worth of lanes. */
    private static float laneMax(float[] t) {
        float m = Float.NEGATIVE_INFINITY;
        for (int l = 0; l < S.length(); l++) m = Math.max(m, t[l]);
        return m;
    }

    // e^x from adds, multiplies and exponent arithmetic (Cephes' split of ln 2)
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float EXP_LOW = -88.02969f;   // −127·ln 2: n = −127, whose exponent field is 0, so e^x is +0
    private static final float EXP_HIGH = 88.7229f;    // just above ln(largest float): with n = 127, p ≥ 2 overflows
    private static final float ROUND = 12582912f;      // 1.5·2²³: x + ROUND − ROUND rounds to an integer

    /**
     * e^x lanewise, within 2 ulp from e^-87.3 to e^88.3 (a few ulp up to the largest float, whose e^x it reaches with
     * n = 127 and a wider p); +0 below about −87.7 and +∞ above ln(largest float), from the clamps alone. The Vector
     * API's own EXP (and TANH) round differently before the JIT compiles a loop (Java's Math) and after (the CPU's
     * vector math library), so one input could give two results; this uses only operations that round the same way in
     * both, and no compare or blend: the clamps alone give +0 and +∞.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(EXP_LOW).min(EXP_HIGH);                 // NaN stays NaN
        FloatVector n = c.fma(LOG2E, ROUND).sub(ROUND).min(127f);     // nearest integer to x·log₂e, at most 127
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);                                      // x − n·ln 2
        FloatVector p = r.fma(1f / 5040, 1f / 720).fma(r, FloatVector.broadcast(S, 1f / 120))
                .fma(r, FloatVector.broadcast(S, 1f / 24)).fma(r, FloatVector.broadcast(S, 1f / 6))
                .fma(r, FloatVector.broadcast(S, 0.5f)).fma(r, FloatVector.broadcast(S, 1f)).fma(r, FloatVector.broadcast(S, 1f));
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /** tanh(u) = 1 − 2/(e^{2u} + 1) lanewise, through {@link #exp}: absolute error about 1e-7 (for GELU's 1 + tanh). */
    static FloatVector tanh(FloatVector u) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        return one.sub(FloatVector.broadcast(S, 2f).div(exp(u.add(u)).add(one)));
    }

    /** out[i] = a[i] op b[i] for 0 <= i < n; kind 0 add, 1 sub, 2 mul, 3 div. */
    static void binary(int kind, float[] a, float[] b, float[] out, int n) { binary(kind, a, b, out, 0, n); }

    /** out[i] = a[i] op b[i] for from <= i < to. */
    static void binary(int kind, float[] a, float[] b, float[] out, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, a, i);
            FloatVector y = FloatVector.fromArray(S, b, i);
            FloatVector r = switch (kind) {
                case 0 -> x.add(y);
                case 1 -> x.sub(y);
                case 2 -> x.mul(y);
                default -> x.div(y);
            };
            r.intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = switch (kind) {
                case 0 -> a[i] + b[i];
                case 1 -> a[i] - b[i];
                case 2 -> a[i] * b[i];
                default -> a[i] / b[i];
            };
        }
    }

    /** Maximum of a[off .. off+n). */
    static float max(float[] a, int off, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        int bound = S.loopBound(n);
        if (bound > 0) {
            float[] t = lanes(Float.NEGATIVE_INFINITY, 1);
            for (; i < bound; i += S.length()) FloatVector.fromArray(S, t, 0).max(FloatVector.fromArray(S, a, off + i)).intoArray(t, 0);
            m = laneMax(t);
        }
        for (; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    /** Sum of a[off .. off+n). */
    static float sum(float[] a, int off, int n) {
        int i = 0;
        float s = 0f;
        int bound = S.loopBound(n);
        if (bound > 0) {
            float[] t = lanes(0f, 1);
            for (; i < bound; i += S.length()) FloatVector.fromArray(S, t, 0).add(FloatVector.fromArray(S, a, off + i)).intoArray(t, 0);
            s = LaneSum.sum(t, 0, S.length());
        }
        for (; i < n; i++) s += a[off + i];
        return s;
    }

    /** Dot product of a[ao ..] and b[bo ..] over n elements. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float s = 0f;
        int bound = S.loopBound(n);
        if (bound > 0) {
            float[] t = lanes(0f, 1);
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), FloatVector.fromArray(S, t, 0)).intoArray(t, 0);
            }
            s = LaneSum.sum(t, 0, S.length());
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** y[yo ..] += alpha * x[xo ..] over n elements. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /** a[off+i] = a[off+i]·scale (+ bias[bo+i] when bias is not null) over n elements; returns their max. */
    static float scaleAddMax(float[] a, int off, int n, float scale, float[] bias, int bo) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        int bound = S.loopBound(n);
        if (bound > 0) {
            float[] t = lanes(Float.NEGATIVE_INFINITY, 1);
            // one loop per case: a vector merged from two branches inside the loop was boxed on every iteration
            if (bias == null) {
                for (; i < bound; i += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i).mul(scale);
                    v.intoArray(a, off + i);
                    FloatVector.fromArray(S, t, 0).max(v).intoArray(t, 0);
                }
            } else {
                for (; i < bound; i += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i).mul(scale).add(FloatVector.fromArray(S, bias, bo + i));
                    v.intoArray(a, off + i);
                    FloatVector.fromArray(S, t, 0).max(v).intoArray(t, 0);
                }
            }
            m = laneMax(t);
        }
        for (; i < n; i++) {
            float v = a[off + i] * scale + (bias == null ? 0f : bias[bo + i]);
            a[off + i] = v;
            if (v > m) m = v;
        }
        return m;
    }

    /** Softmax backward in place: g[go+i] = p[po+i]·(g[go+i] − rowDot) over n elements. */
    static void softmaxGrad(float[] p, int po, float[] g, int go, float rowDot, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector vd = FloatVector.broadcast(S, rowDot);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, g, go + i).sub(vd).mul(FloatVector.fromArray(S, p, po + i)).intoArray(g, go + i);
        }
        for (; i < n; i++) g[go + i] = p[po + i] * (g[go + i] - rowDot);
    }

    /** out[oo+i] = exp(a[ao+i] - shift); returns the sum of the results. */
    static float expShiftSum(float[] a, int ao, float shift, float[] out, int oo, int n) {
        int i = 0;
        float s = 0f;
        int bound = S.loopBound(n);
        if (bound > 0) {
            float[] t = lanes(0f, 1);
            FloatVector vs = FloatVector.broadcast(S, shift);
            for (; i < bound; i += S.length()) {
                FloatVector e = exp(FloatVector.fromArray(S, a, ao + i).sub(vs));
                e.intoArray(out, oo + i);
                FloatVector.fromArray(S, t, 0).add(e).intoArray(t, 0);
            }
            s = LaneSum.sum(t, 0, S.length());
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(a[ao + i] - shift);
            out[oo + i] = e;
            s += e;
        }
        return s;
    }

    /** out[oo+i] = a[ao+i] + k over n elements. */
    static void addScalar(float[] a, int ao, float k, float[] out, int oo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) FloatVector.fromArray(S, a, ao + i).add(k).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] + k;
    }

    /** out[oo+i] = k·e^{a[ao+i]} − shift over n elements. */
    static void expScaleShift(float[] a, int ao, float k, float shift, float[] out, int oo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            exp(FloatVector.fromArray(S, a, ao + i)).mul(k).sub(shift).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = k * (float) Math.exp(a[ao + i]) - shift;
    }

    /** a[off ..] *= k over n elements. */
    static void scale(float[] a, int off, float k, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) FloatVector.fromArray(S, a, off + i).mul(k).intoArray(a, off + i);
        for (; i < n; i++) a[off + i] *= k;
    }

    /** Σ (a[off+i] − mean)² over n elements. */
    static float sumSquaredDeviation(float[] a, int off, int n, float mean) {
        int i = 0;
        float s = 0f;
        int bound = S.loopBound(n);
        if (bound > 0) {
            float[] t = lanes(0f, 1);
            FloatVector vm = FloatVector.broadcast(S, mean);
            for (; i < bound; i += S.length()) {
                FloatVector d = FloatVector.fromArray(S, a, off + i).sub(vm);
                d.fma(d, FloatVector.fromArray(S, t, 0)).intoArray(t, 0);
            }
            s = LaneSum.sum(t, 0, S.length());
        }
        for (; i < n; i++) {
            float d = a[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /**
     * Layer-norm output of one row: xhat = (x − mean)·rs, y = xhat·w + b (w, b null for 1 and 0), written at the same
     * offset in xhat (skipped when null) and y; w and b are indexed from 0.
     */
    static void normalize(float[] x, int off, int n, float mean, float rs, float[] w, float[] b, float[] xhat, float[] y) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector vm = FloatVector.broadcast(S, mean), vr = FloatVector.broadcast(S, rs);
        for (; i < bound; i += S.length()) {
            FloatVector h = FloatVector.fromArray(S, x, off + i).sub(vm).mul(vr);
            if (xhat != null) h.intoArray(xhat, off + i);
            FloatVector out = w == null ? h : h.mul(FloatVector.fromArray(S, w, i));
            if (b != null) out = out.add(FloatVector.fromArray(S, b, i));
            out.intoArray(y, off + i);
        }
        for (; i < n; i++) {
            float h = (x[off + i] - mean) * rs;
            if (xhat != null) xhat[off + i] = h;
            float out = w == null ? h : h * w[i];
            y[off + i] = b == null ? out : out + b[i];
        }
    }

    /**
     * Layer-norm input gradient of one row at {@code off}: with dh = g·w (w null for 1),
     * gx = rs·(dh − mean(dh) − xhat·mean(dh·xhat)).
     */
    static void layerNormRowBackward(float[] g, float[] xhat, float[] w, int off, int n, float rs, float[] gx) {
        int i = 0;
        int bound = S.loopBound(n);
        float sdh = 0f, sdhh = 0f;
        if (bound > 0) {
            float[] t = lanes(0f, 2);
            int l = S.length();
            for (; i < bound; i += l) {
                FloatVector dh = FloatVector.fromArray(S, g, off + i);
                if (w != null) dh = dh.mul(FloatVector.fromArray(S, w, i));
                FloatVector.fromArray(S, t, 0).add(dh).intoArray(t, 0);
                dh.fma(FloatVector.fromArray(S, xhat, off + i), FloatVector.fromArray(S, t, l)).intoArray(t, l);
            }
            sdh = LaneSum.sum(t, 0, l);
            sdhh = LaneSum.sum(t, l, l);
        }
        for (; i < n; i++) {
            float dh = w == null ? g[off + i] : g[off + i] * w[i];
            sdh += dh;
            sdhh += dh * xhat[off + i];
        }
        float m1 = sdh / n, m2 = sdhh / n;
        i = 0;
        FloatVector vm1 = FloatVector.broadcast(S, m1), vm2 = FloatVector.broadcast(S, m2);
        for (; i < bound; i += S.length()) {
            FloatVector dh = FloatVector.fromArray(S, g, off + i);
            if (w != null) dh = dh.mul(FloatVector.fromArray(S, w, i));
            FloatVector h = FloatVector.fromArray(S, xhat, off + i);
            dh.sub(vm1).sub(h.mul(vm2)).mul(rs).intoArray(gx, off + i);
        }
        for (; i < n; i++) {
            float dh = w == null ? g[off + i] : g[off + i] * w[i];
            gx[off + i] = rs * (dh - m1 - xhat[off + i] * m2);
        }
    }

    /**
     * Norm parameter gradients over columns [c0, c1) of {@code rows} rows of n: gw[c] = Σ g·xhat, gb[c] = Σ g
     * (either may be null). Each column is summed by one task, row after row.
     */
    static void normParamGrads(float[] g, float[] xhat, int rows, int n, int c0, int c1, float[] gw, float[] gb) {
        int bound = c0 + S.loopBound(c1 - c0);
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            int c = c0;
            for (; c < bound; c += S.length()) {
                FloatVector gv = FloatVector.fromArray(S, g, base + c);
                if (gw != null) gv.fma(FloatVector.fromArray(S, xhat, base + c), FloatVector.fromArray(S, gw, c)).intoArray(gw, c);
                if (gb != null) gv.add(FloatVector.fromArray(S, gb, c)).intoArray(gb, c);
            }
            for (; c < c1; c++) {
                float gi = g[base + c];
                if (gw != null) gw[c] += gi * xhat[base + c];
                if (gb != null) gb[c] += gi;
            }
        }
    }

    /** y[off+i] = x[off+i]·k·w[i] over n elements (w null for 1). */
    static void scaleRow(float[] x, int off, int n, float k, float[] w, float[] y) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).mul(k);
            if (w != null) v = v.mul(FloatVector.fromArray(S, w, i));
            v.intoArray(y, off + i);
        }
        for (; i < n; i++) y[off + i] = w == null ? x[off + i] * k : x[off + i] * k * w[i];
    }

    static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
    static final float GELU_A = 0.044715f;

    /** out[i] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) for from <= i < to. */
    static void geluTanh(float[] x, float[] out, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector u = v.mul(v).mul(GELU_A).add(1f).mul(v).mul(GELU_C);
            FloatVector t = tanh(u);
            t.add(1f).mul(v).mul(0.5f).intoArray(out, i);
        }
        for (; i < to; i++) {
            double xi = x[i];
            double t = Math.tanh(GELU_C * (xi + GELU_A * xi * xi * xi));
            out[i] = (float) (0.5 * xi * (1 + t));
        }
    }

    /** gx[i] = g[i] · d geluTanh(x)/dx at x[i], for from <= i < to. */
    static void geluTanhBackward(float[] x, float[] g, float[] gx, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector v2 = v.mul(v);
            FloatVector t = tanh(v2.mul(GELU_A).add(1f).mul(v).mul(GELU_C));
            FloatVector inner = v2.mul(3f * GELU_A).add(1f).mul(GELU_C);                 // du/dx
            FloatVector sech2 = t.mul(t).neg().add(1f);                                  // 1 - t²
            FloatVector d = t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(inner));
            d.mul(FloatVector.fromArray(S, g, i)).intoArray(gx, i);
        }
        for (; i < to; i++) {
            double xi = x[i];
            double t = Math.tanh(GELU_C * (xi + GELU_A * xi * xi * xi));
            gx[i] = g[i] * (float) (0.5 * (1 + t) + 0.5 * xi * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * xi * xi));
        }
    }

    // Exact-erf GELU in float. erf is split at |z| = 1. Below, erf(a) = a + a·P(a²) with P (degree 6 in a²) fitted to
    // erf(a)/a − 1, so the final fused multiply-add rounds once. Above, erfc(a) = e^{-a²}·Q(u), u = 1/(a + 2), with
    // Q (degree 8 in u) fitted to erfc(a)·e^{a²} on [1, 10] in relative error; past 10, e^{-a²} underflows anyway.
    // Both fits stay within 6e-9 (relative for erfc) in exact arithmetic, so float rounding sets the error: about
    // 1e-7 absolute, checked against Erf.reference in the tests. Left of zero, 1 + erf(z) is taken as erfc(|z|)
    // itself, so the far negative GELU tail keeps its relative accuracy instead of cancelling to 0.
    private static final float P0 = 1.2837915841e-01f, P1 = -3.7612605986e-01f, P2 = 1.1283430126e-01f,
            P3 = -2.6848591557e-02f, P4 = 5.1797499322e-03f, P5 = -7.9423592842e-04f, P6 = 7.6471266932e-05f;
    private static final float Q0 = -4.1034786072e-06f, Q1 = 5.6439881774e-01f, Q2 = 1.1239629934e+00f,
            Q3 = 2.0237400324e+00f, Q4 = 2.5286546197e+00f, Q5 = 3.3709948876e+00f, Q6 = 1.6037833372e+00f,
            Q7 = -2.3685100457e+01f, Q8 = 2.0708082574e+01f;
    static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    /** erf(a) for 0 <= a < 1. */
    private static FloatVector erfSmall(FloatVector a, FloatVector a2) {
        FloatVector p = a2.fma(P6, P5).fma(a2, FloatVector.broadcast(S, P4)).fma(a2, FloatVector.broadcast(S, P3))
                .fma(a2, FloatVector.broadcast(S, P2)).fma(a2, FloatVector.broadcast(S, P1))
                .fma(a2, FloatVector.broadcast(S, P0));
        return p.fma(a, a);
    }

    /** erfc(a) for a >= 1, given e = e^{-a²}. */
    private static FloatVector erfcTail(FloatVector a, FloatVector e) {
        FloatVector u = FloatVector.broadcast(S, 1f).div(a.min(10f).add(2f));
        FloatVector q = u.fma(Q8, Q7).fma(u, FloatVector.broadcast(S, Q6)).fma(u, FloatVector.broadcast(S, Q5))
                .fma(u, FloatVector.broadcast(S, Q4)).fma(u, FloatVector.broadcast(S, Q3))
                .fma(u, FloatVector.broadcast(S, Q2)).fma(u, FloatVector.broadcast(S, Q1))
                .fma(u, FloatVector.broadcast(S, Q0));
        return q.mul(e);
    }

    private static float erfSmall(float a, float a2) {
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(a2, P6, P5), a2, P4), a2, P3), a2, P2), a2, P1), a2, P0);
        return Math.fma(p, a, a);
    }

    private static float erfcTail(float a, float e) {
        float u = 1f / (Math.min(a, 10f) + 2f);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(u, Q8, Q7), u, Q6), u, Q5), u, Q4),
                u, Q3), u, Q2), u, Q1), u, Q0);
        return q * e;
    }

    static float onePlusErf(float z, float e) {
        float a = Math.abs(z);
        if (a < 1f) {
            float s = erfSmall(a, a * a);
            return z < 0 ? 1f - s : 1f + s;
        }
        float r = erfcTail(a, e);
        return z < 0 ? r : 2f - r;
    }

    /** out[i] = erf(z[i]) in float (about 1e-7 absolute) for from <= i < to. */
    static void erf(float[] z, float[] out, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, z, i);
            FloatVector a = v.abs(), a2 = a.mul(a);
            FloatVector e = exp(a2.neg());
            FloatVector r = FloatVector.broadcast(S, 1f).sub(erfcTail(a, e)).blend(erfSmall(a, a2), a.lt(1f));
            r.blend(r.neg(), v.lt(0f)).intoArray(out, i);
        }
        for (; i < to; i++) {
            float a = Math.abs(z[i]);
            float r = a < 1f ? erfSmall(a, a * a) : 1f - erfcTail(a, (float) Math.exp(-a * a));
            out[i] = z[i] < 0 ? -r : r;
        }
    }

    /** out[i] = x·Φ(x) = 0.5·x·(1 + erf(x/√2)) for from <= i < to. */
    static void gelu(float[] x, float[] out, int from, int to) { geluLoop(x, null, out, from, to); }

    /** gx[i] = g[i]·(Φ(x) + x·φ(x)) at x = x[i], the derivative of {@link #gelu}, for from <= i < to. */
    static void geluBackward(float[] x, float[] g, float[] gx, int from, int to) { geluLoop(x, g, gx, from, to); }

    /**
     * GELU (g null) or g times its derivative, written out in one loop body: the vectors of a helper that is not
     * inlined are boxed, which costs more than the arithmetic.
     */
    private static void geluLoop(float[] x, float[] g, float[] out, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector a = v.abs().mul(INV_SQRT2), a2 = a.mul(a);
            FloatVector e = exp(a2.neg());                          // e^{-x²/2}
            VectorMask<Float> neg = v.lt(0f), small = a.lt(1f);
            // 1 + erf(z), z = x/√2: 1 ± a·(1 + P(a²)) near zero, 2 − erfc(a) or erfc(a) beyond
            FloatVector s = a2.fma(P6, P5).fma(a2, FloatVector.broadcast(S, P4)).fma(a2, FloatVector.broadcast(S, P3))
                    .fma(a2, FloatVector.broadcast(S, P2)).fma(a2, FloatVector.broadcast(S, P1))
                    .fma(a2, FloatVector.broadcast(S, P0)).fma(a, a);
            FloatVector phi2 = s.blend(s.neg(), neg).add(1f);
            if (!small.allTrue()) {
                FloatVector u = FloatVector.broadcast(S, 1f).div(a.min(10f).add(2f));
                FloatVector r = u.fma(Q8, Q7).fma(u, FloatVector.broadcast(S, Q6)).fma(u, FloatVector.broadcast(S, Q5))
                        .fma(u, FloatVector.broadcast(S, Q4)).fma(u, FloatVector.broadcast(S, Q3))
                        .fma(u, FloatVector.broadcast(S, Q2)).fma(u, FloatVector.broadcast(S, Q1))
                        .fma(u, FloatVector.broadcast(S, Q0)).mul(e);
                FloatVector tail = FloatVector.broadcast(S, 2f).sub(r).blend(r, neg);
                phi2 = tail.blend(phi2, small);
            }
            if (g == null) {
                phi2.mul(v).mul(0.5f).intoArray(out, i);
            } else {
                FloatVector d = phi2.mul(0.5f).add(v.mul(e).mul(INV_SQRT_2PI));
                d.mul(FloatVector.fromArray(S, g, i)).intoArray(out, i);
            }
        }
        for (; i < to; i++) {
            float v = x[i];
            float e = (float) Math.exp(-0.5f * v * v);
            float phi2 = onePlusErf(v * INV_SQRT2, e);
            out[i] = g == null ? 0.5f * v * phi2 : g[i] * (0.5f * phi2 + v * e * INV_SQRT_2PI);
        }
    }
}
