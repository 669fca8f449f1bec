package org.ablate.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorised loops over dense float arrays, shared by the elementwise, softmax and norm ops. */
final class Simd {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Simd() {}

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
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += S.length()) acc = acc.max(FloatVector.fromArray(S, a, off + i));
            m = acc.reduceLanes(VectorOperators.MAX);
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
            FloatVector acc = FloatVector.zero(S);
            for (; i < bound; i += S.length()) acc = acc.add(FloatVector.fromArray(S, a, off + i));
            s = acc.reduceLanes(VectorOperators.ADD);
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
            FloatVector acc = FloatVector.zero(S);
            for (; i < bound; i += S.length()) {
                acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
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
            FloatVector vm = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, a, off + i).mul(scale);
                if (bias != null) v = v.add(FloatVector.fromArray(S, bias, bo + i));
                v.intoArray(a, off + i);
                vm = vm.max(v);
            }
            m = vm.reduceLanes(VectorOperators.MAX);
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
            FloatVector acc = FloatVector.zero(S);
            FloatVector vs = FloatVector.broadcast(S, shift);
            for (; i < bound; i += S.length()) {
                FloatVector e = FloatVector.fromArray(S, a, ao + i).sub(vs).lanewise(VectorOperators.EXP);
                e.intoArray(out, oo + i);
                acc = acc.add(e);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(a[ao + i] - shift);
            out[oo + i] = e;
            s += e;
        }
        return s;
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
            FloatVector acc = FloatVector.zero(S);
            FloatVector vm = FloatVector.broadcast(S, mean);
            for (; i < bound; i += S.length()) {
                FloatVector d = FloatVector.fromArray(S, a, off + i).sub(vm);
                acc = d.fma(d, acc);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float d = a[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /**
     * Layer-norm output of one row: xhat = (x − mean)·rs, y = xhat·w + b (w, b null for 1 and 0), written at the same
     * offset in xhat and y; w and b are indexed from 0.
     */
    static void normalize(float[] x, int off, int n, float mean, float rs, float[] w, float[] b, float[] xhat, float[] y) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector vm = FloatVector.broadcast(S, mean), vr = FloatVector.broadcast(S, rs);
        for (; i < bound; i += S.length()) {
            FloatVector h = FloatVector.fromArray(S, x, off + i).sub(vm).mul(vr);
            h.intoArray(xhat, off + i);
            FloatVector out = w == null ? h : h.mul(FloatVector.fromArray(S, w, i));
            if (b != null) out = out.add(FloatVector.fromArray(S, b, i));
            out.intoArray(y, off + i);
        }
        for (; i < n; i++) {
            float h = (x[off + i] - mean) * rs;
            xhat[off + i] = h;
            float out = w == null ? h : h * w[i];
            y[off + i] = b == null ? out : out + b[i];
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

    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_A = 0.044715f;

    /** out[i] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) for from <= i < to. */
    static void geluTanh(float[] x, float[] out, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector u = v.mul(v).mul(GELU_A).add(1f).mul(v).mul(GELU_C);
            FloatVector t = u.lanewise(VectorOperators.TANH);
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
            FloatVector t = v2.mul(GELU_A).add(1f).mul(v).mul(GELU_C).lanewise(VectorOperators.TANH);
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
}
