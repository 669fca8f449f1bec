package org.ablate.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ablate.tensor.kernels.Gemm;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square single-precision matrix multiply C = A·B (row-major, n×n), the workload of sgemm.py.
 * Reports products per second and, as the secondary result {@code gflop}, GFLOP/s (2·n³ per product). {@link #gemmTransposedB} reads B through a transposed
 * view (as {@code x·Wᵀ} in a linear layer does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SgemmBench {
    @Param({"128", "256", "512", "1024", "2048"})
    public int n;

    float[] a;
    float[] b;
    float[] c;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextGaussian();
        }
        System.out.println();
        System.out.println(Gemm.describe());
    }

    /** Floating-point work done, in GFLOP; JMH reports it per second, i.e. GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    @Benchmark
    public float[] gemm(Flops f) {
        Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        f.gflop += 2e-9 * n * n * n;
        return c;
    }

    @Benchmark
    public float[] gemmTransposedB(Flops f) {
        Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, 1, n, c, 0, n, false);
        f.gflop += 2e-9 * n * n * n;
        return c;
    }

    @TearDown
    public void report() {
        // Keeps the product observable so it cannot be optimised away.
        if (Float.isNaN(c[0] + c[c.length - 1])) {
            throw new IllegalStateException("sgemm produced NaN");
        }
    }
}
