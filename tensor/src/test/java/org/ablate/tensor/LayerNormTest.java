package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * layerNorm's forward with and without a graph, and its backward on sizes large enough to be split over the pool (rows for the input gradient, column
 * ranges for the weight and bias gradients), against the textbook formulas evaluated in double.
 */
class LayerNormTest {

    private static void check(int rows, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.randn(r, 2f, rows, n).requiresGrad(true);
        Tensor w = Tensor.randn(r, 1f, n).requiresGrad(true), b = Tensor.randn(r, 1f, n).requiresGrad(true);
        Tensor g = Tensor.randn(r, 1f, rows, n);
        float eps = 1e-5f;
        x.layerNorm(w, b, eps).mul(g).sum().backward();
        float[] xd = x.toArray(), wd = w.toArray(), gd = g.toArray();
        float[] gx = x.grad().toArray(), gw = w.grad().toArray(), gb = b.grad().toArray();
        double[] refW = new double[n], refB = new double[n];
        for (int i = 0; i < rows; i++) {
            double mean = 0, var = 0;
            for (int j = 0; j < n; j++) mean += xd[i * n + j];
            mean /= n;
            for (int j = 0; j < n; j++) var += (xd[i * n + j] - mean) * (xd[i * n + j] - mean);
            var /= n;
            double rs = 1 / Math.sqrt(var + eps);
            double sdh = 0, sdhh = 0;
            double[] h = new double[n];
            for (int j = 0; j < n; j++) {
                h[j] = (xd[i * n + j] - mean) * rs;
                double dh = gd[i * n + j] * wd[j];
                sdh += dh;
                sdhh += dh * h[j];
                refW[j] += gd[i * n + j] * h[j];
                refB[j] += gd[i * n + j];
            }
            for (int j = 0; j < n; j++) {
                double ref = rs * (gd[i * n + j] * wd[j] - sdh / n - h[j] * sdhh / n);
                assertEquals(ref, gx[i * n + j], 2e-5 * (1 + Math.abs(ref)), "gx[" + i + "," + j + "] rows=" + rows + " n=" + n);
            }
        }
        for (int j = 0; j < n; j++) {
            assertEquals(refW[j], gw[j], 1e-5 * rows, "gw[" + j + "] rows=" + rows + " n=" + n);
            assertEquals(refB[j], gb[j], 1e-5 * rows, "gb[" + j + "] rows=" + rows + " n=" + n);
        }
    }

    @Test
    void forwardWithoutGraphMatchesDoubleFormulas() {
        SplittableRandom r = new SplittableRandom(4);
        int rows = 300, n = 45;
        Tensor x = Tensor.randn(r, 2f, rows, n), w = Tensor.randn(r, 1f, n), b = Tensor.randn(r, 1f, n);
        float[] plain;
        try (NoGrad g = Tensor.noGrad()) {
            plain = x.layerNorm(w, b, 1e-5f).toArray();
        }
        Tensor tracked = x.requiresGrad(true).layerNorm(w, b, 1e-5f);
        float[] xd = x.toArray(), wd = w.toArray(), bd = b.toArray(), yt = tracked.toArray();
        for (int i = 0; i < rows; i++) {
            double mean = 0, var = 0;
            for (int j = 0; j < n; j++) mean += xd[i * n + j];
            mean /= n;
            for (int j = 0; j < n; j++) var += (xd[i * n + j] - mean) * (xd[i * n + j] - mean);
            double rs = 1 / Math.sqrt(var / n + 1e-5);
            for (int j = 0; j < n; j++) {
                double ref = (xd[i * n + j] - mean) * rs * wd[j] + bd[j];
                assertEquals(ref, plain[i * n + j], 1e-5 * (1 + Math.abs(ref)), "no-grad y[" + i + "," + j + "]");
                assertEquals(plain[i * n + j], yt[i * n + j], 0f, "tracked y[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void parallelBackwardMatchesDoubleFormulas() {
        check(1000, 37, 1);   // many short rows, ragged against every vector width
        check(250, 300, 2);   // rows and columns both split over the pool
        check(3, 768, 3);     // few long rows
    }
}
