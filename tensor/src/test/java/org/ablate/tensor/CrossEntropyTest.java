package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** crossEntropy on enough rows to be split over the pool, against log-sum-exp and its gradient in double. */
class CrossEntropyTest {

    private static void check(int n, int c, float smoothing, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor logits = Tensor.randn(r, 3f, n, c).requiresGrad(true);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i % 11 == 5 ? -1 : r.nextInt(c);
        Tensor loss = Tensor.crossEntropy(logits, IntTensor.of(t, n), -1, smoothing);
        loss.backward();
        float[] x = logits.toArray(), gx = logits.grad().toArray();
        int count = 0;
        for (int v : t) if (v != -1) count++;
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == -1) {
                for (int j = 0; j < c; j++) assertEquals(0f, gx[i * c + j], 0f, "ignored row " + i);
                continue;
            }
            double m = Double.NEGATIVE_INFINITY, s = 0, sumX = 0;
            for (int j = 0; j < c; j++) m = Math.max(m, x[i * c + j]);
            for (int j = 0; j < c; j++) {
                s += Math.exp(x[i * c + j] - m);
                sumX += x[i * c + j];
            }
            double lse = m + Math.log(s);
            total += (1 - smoothing) * (lse - x[i * c + t[i]]) + smoothing * (c * lse - sumX) / c;
            for (int j = 0; j < c; j++) {
                double p = Math.exp(x[i * c + j] - lse);
                double target = smoothing / c + (j == t[i] ? 1 - smoothing : 0);
                double ref = (p - target) / count;
                assertEquals(ref, gx[i * c + j], 1e-6 / count + 1e-5 * Math.abs(ref), "grad[" + i + "," + j + "] n=" + n + " c=" + c);
            }
        }
        assertEquals(total / count, loss.item(), 1e-5 * (1 + total / count), "loss n=" + n + " c=" + c);
    }

    @Test
    void parallelRowsMatchDoubleReference() {
        check(1000, 70, 0f, 1);    // rows split over the pool, ragged against every vector width
        check(300, 257, 0.1f, 2);  // with label smoothing
        check(2, 5000, 0.05f, 3);  // few wide rows
    }
}
