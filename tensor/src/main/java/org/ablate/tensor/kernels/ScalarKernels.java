package org.ablate.tensor.kernels;

/**
 * The scalar reference backend ({@code -Dablate.vector.bits=scalar}): every kernel is a plain loop that sums in
 * index order, with {@link Math#exp} and the same float erf polynomial as the vector GELU, so that a result differs
 * from {@link VectorKernels}' only by summation order and the vector e^x's last bits. Matrix products are the triple
 * loop of {@link Gemm#reference}, split over the pool by rows when large (which does not change any sum). It is the
 * oracle the tests hold every vector width to, and a backend for machines or debugging sessions without the Vector
 * API's speed.
 */
class ScalarKernels implements Kernels {
    /** Below this many multiply-adds a product stays on the calling thread. */
    private static final long PARALLEL_MIN = 64L * 64 * 64;

    @Override public String describe() { return "kernels: scalar reference (plain loops), threads " + Parallel.threads(); }

    @Override public void matmul(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                                 int bCs, float[] c, int cOff, int cRs, boolean accumulate) {
        if ((long) m * n * k < PARALLEL_MIN || m < 2) {
            matmulSerial(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
            return;
        }
        Parallel.parallelRange(m, 1, (i0, i1) -> matmulSerial(i1 - i0, n, k, a, aOff + i0 * aRs, aRs, aCs, b, bOff, bRs, bCs,
                c, cOff + i0 * cRs, cRs, accumulate));
    }

    @Override public void matmulSerial(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff,
                                       int bRs, int bCs, float[] c, int cOff, int cRs, boolean accumulate) {
        Gemm.reference(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
    }

    @Override public void binary(int op, float[] a, float[] b, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = switch (op) {
                case ADD -> a[i] + b[i];
                case SUB -> a[i] - b[i];
                case MUL -> a[i] * b[i];
                default -> a[i] / b[i];
            };
        }
    }

    @Override public void gelu(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            out[i] = 0.5f * v * Simd.onePlusErf(v * Simd.INV_SQRT2, (float) Math.exp(-0.5f * v * v));
        }
    }

    @Override public void geluBackward(float[] x, float[] g, float[] gx, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            float e = (float) Math.exp(-0.5f * v * v);
            gx[i] = g[i] * (0.5f * Simd.onePlusErf(v * Simd.INV_SQRT2, e) + v * e * Simd.INV_SQRT_2PI);
        }
    }

    @Override public void geluTanh(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            double t = Math.tanh(Simd.GELU_C * (v + Simd.GELU_A * v * v * v));
            out[i] = (float) (0.5 * v * (1 + t));
        }
    }

    @Override public void geluTanhBackward(float[] x, float[] g, float[] gx, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            double t = Math.tanh(Simd.GELU_C * (v + Simd.GELU_A * v * v * v));
            gx[i] = g[i] * (float) (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * Simd.GELU_C * (1 + 3 * Simd.GELU_A * v * v));
        }
    }

    @Override public float sum(float[] a, int off, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[off + i];
        return s;
    }

    @Override public float max(float[] a, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    @Override public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    @Override public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    @Override public void scale(float[] a, int off, float k, int n) {
        for (int i = 0; i < n; i++) a[off + i] *= k;
    }

    @Override public void addScalar(float[] a, int ao, float k, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + k;
    }

    @Override public float expShiftSum(float[] a, int ao, float shift, float[] out, int oo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(a[ao + i] - shift);
            out[oo + i] = e;
            s += e;
        }
        return s;
    }

    @Override public void expScaleShift(float[] a, int ao, float k, float shift, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = k * (float) Math.exp(a[ao + i]) - shift;
    }

    @Override public float scaleAddMax(float[] a, int off, int n, float scale, float[] bias, int bo) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = a[off + i] * scale + (bias == null ? 0f : bias[bo + i]);
            a[off + i] = v;
            if (v > m) m = v;
        }
        return m;
    }

    @Override public void softmaxGrad(float[] p, int po, float[] g, int go, float rowDot, int n) {
        for (int i = 0; i < n; i++) g[go + i] = p[po + i] * (g[go + i] - rowDot);
    }

    @Override public float sumSquaredDeviation(float[] a, int off, int n, float mean) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            float d = a[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    @Override public void normalize(float[] x, int off, int n, float mean, float rs, float[] w, float[] b, float[] xhat, float[] y) {
        for (int i = 0; i < n; i++) {
            float h = (x[off + i] - mean) * rs;
            if (xhat != null) xhat[off + i] = h;
            float out = w == null ? h : h * w[i];
            y[off + i] = b == null ? out : out + b[i];
        }
    }

    @Override public void layerNormRowBackward(float[] g, float[] xhat, float[] w, int off, int n, float rs, float[] gx) {
        float sdh = 0f, sdhh = 0f;
        for (int i = 0; i < n; i++) {
            float dh = w == null ? g[off + i] : g[off + i] * w[i];
            sdh += dh;
            sdhh += dh * xhat[off + i];
        }
        float m1 = sdh / n, m2 = sdhh / n;
        for (int i = 0; i < n; i++) {
            float dh = w == null ? g[off + i] : g[off + i] * w[i];
            gx[off + i] = rs * (dh - m1 - xhat[off + i] * m2);
        }
    }

    @Override public void normParamGrads(float[] g, float[] xhat, int rows, int n, int c0, int c1, float[] gw, float[] gb) {
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int c = c0; c < c1; c++) {
                if (gw != null) gw[c] += g[base + c] * xhat[base + c];
                if (gb != null) gb[c] += g[base + c];
            }
        }
    }

    @Override public void scaleRow(float[] x, int off, int n, float k, float[] w, float[] y) {
        for (int i = 0; i < n; i++) y[off + i] = w == null ? x[off + i] * k : x[off + i] * k * w[i];
    }
}
