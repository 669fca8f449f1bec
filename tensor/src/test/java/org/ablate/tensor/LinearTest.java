package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** linear(x, W, b) with the bias fused into the product, against a plain double-precision triple loop. */
class LinearTest {

    private static void checkAgainstLoop(int m, int in, int out, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.randn(r, 1f, m, in), w = Tensor.randn(r, 1f, out, in), b = Tensor.randn(r, 1f, out);
        float[] y = x.linear(w, b).toArray();
        float[] xd = x.toArray(), wd = w.toArray(), bd = b.toArray();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < out; j++) {
                double s = bd[j];
                for (int p = 0; p < in; p++) s += (double) xd[i * in + p] * wd[j * in + p];
                assertEquals(s, y[i * out + j], 1e-5 * (1 + Math.sqrt(in)), "y[" + i + "," + j + "] m=" + m + " in=" + in + " out=" + out);
            }
        }
    }

    @Test
    void fusedBiasMatchesLoopForEveryKernelPath() {
        checkAgainstLoop(1, 37, 29, 1);     // matrix-vector
        checkAgainstLoop(5, 33, 41, 2);     // few rows
        checkAgainstLoop(17, 23, 35, 3);    // packed GEMM, single thread, ragged tiles
        checkAgainstLoop(75, 70, 67, 4);    // packed GEMM over the pool, ragged in every dim
    }

    @Test
    void biasGradientIsTheColumnSum() {
        SplittableRandom r = new SplittableRandom(9);
        int m = 37, in = 5, out = 21;
        Tensor x = Tensor.randn(r, 1f, m, in), w = Tensor.randn(r, 1f, out, in), b = Tensor.randn(r, 1f, out).requiresGrad(true);
        Tensor g = Tensor.randn(r, 1f, m, out);
        x.linear(w, b).mul(g).sum().backward();
        float[] gd = g.toArray(), gb = b.grad().toArray();
        for (int j = 0; j < out; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) s += gd[i * out + j];
            assertEquals(s, gb[j], 1e-5, "bias grad " + j);
        }
    }
}
