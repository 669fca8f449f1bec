package org.ablate.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ablate.tensor.kernels.Gemm;

/**
 * Quick SGEMM sweep without JMH, printing one JSON line per size in the shape sgemm.py prints, so both sides
 * can be interleaved in one shell loop: {@code n}, median and min/max GFLOP/s over timed repeats after warm-up.
 * Arguments: sizes (default 128 256 512 1024 2048); {@code -Dablate.bench.seconds} per size (default 3).
 */
public final class SgemmMain {
    private SgemmMain() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {128, 256, 512, 1024, 2048}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(System.getProperty("ablate.bench.seconds", "3"));
        System.out.println("# " + Gemm.describe());
        for (int n : sizes) {
            SplittableRandom r = new SplittableRandom(1);
            float[] a = new float[n * n];
            float[] b = new float[n * n];
            float[] c = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
                b[i] = (float) r.nextGaussian();
            }
            double flops = 2.0 * n * n * n;
            long warmEnd = System.nanoTime() + (long) (seconds * 0.4e9);
            while (System.nanoTime() < warmEnd) {
                Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
            }
            // Repeats of at least ~20 ms each, like timeit batches, so timer overhead does not count.
            int batch = (int) Math.max(1, 2e7 / flops * 20);
            double[] rates = new double[1000];
            int count = 0;
            long end = System.nanoTime() + (long) (seconds * 0.6e9);
            while ((System.nanoTime() < end || count < 5) && count < rates.length) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
                }
                rates[count++] = flops * batch / (System.nanoTime() - t0);
            }
            double[] s = Arrays.copyOf(rates, count);
            Arrays.sort(s);
            // products with few row blocks per thread choose a schedule by timing: how often this size ran split
            double split = Gemm.splitShare(n, n, n);
            System.out.printf(Locale.ROOT, "{\"impl\": \"ablate\", \"n\": %d, \"gflops_median\": %.1f, \"gflops_min\": %.1f,"
                    + " \"gflops_max\": %.1f, \"repeats\": %d, \"check\": %.3f%s}%n",
                    n, s[count / 2], s[0], s[count - 1], count, c[0],
                    Double.isNaN(split) ? "" : String.format(Locale.ROOT, ", \"split_share\": %.3f", split));
        }
    }
}
