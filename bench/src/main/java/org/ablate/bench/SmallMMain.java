package org.ablate.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.ablate.tensor.kernels.Gemm;
import org.ablate.tensor.kernels.Gemv;

/**
 * Few-row products x·Wᵀ as a GPT-2-small prefill makes them (W [n, k] row-major, read transposed): GFLOP/s of
 * {@link Gemv#smallM} and of the packed {@link Gemm#sgemm} for each row count m and weight shape, best of the
 * timed repeats (the host is shared, so the best repeat is the least disturbed one). One JSON line per case.
 * Arguments: row counts (default 1 2 4 8 12 16); {@code -Dablate.bench.seconds} per case and kernel (default 1).
 */
public final class SmallMMain {
    private SmallMMain() {
    }

    public static void main(String[] args) {
        int[] ms = args.length == 0 ? new int[] {1, 2, 4, 8, 12, 16} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(System.getProperty("ablate.bench.seconds", "1"));
        int[][] shapes = {{2304, 768}, {768, 768}, {3072, 768}, {768, 3072}, {50257, 768}};
        SplittableRandom r = new SplittableRandom(1);
        for (int[] nk : shapes) {
            int n = nk[0], k = nk[1];
            float[] w = new float[n * k];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            for (int m : ms) {
                float[] a = new float[m * k];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                float[] c = new float[m * n];
                double small = best(seconds, m, n, k, () -> Gemv.smallM(m, n, k, a, 0, k, 1, w, 0, 1, k, c, 0, n, false));
                double gemm = best(seconds, m, n, k, () -> Gemm.sgemm(m, n, k, a, 0, k, 1, w, 0, 1, k, c, 0, n, false));
                System.out.printf("{\"m\": %d, \"n\": %d, \"k\": %d, \"smallM_gflops\": %.1f, \"gemm_gflops\": %.1f}%n",
                        m, n, k, small, gemm);
            }
        }
    }

    private static double best(double seconds, int m, int n, int k, Runnable op) {
        double flops = 2.0 * m * n * k;
        long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
        while (System.nanoTime() < warmEnd) op.run();
        double best = 0;
        long end = System.nanoTime() + (long) (seconds * 0.7e9);
        int count = 0;
        while (System.nanoTime() < end || count < 3) {
            long t0 = System.nanoTime();
            op.run();
            best = Math.max(best, flops / (System.nanoTime() - t0));
            count++;
        }
        return best;
    }
}
