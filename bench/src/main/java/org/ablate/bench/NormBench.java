package org.ablate.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Forward softmax over the last dim and layer norm over rows×dim activations, without autograd. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class NormBench {
    @Param({"2048"})
    public int rows;

    @Param({"256", "768"})
    public int dim;

    Tensor x;
    Tensor weight;
    Tensor bias;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[rows * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        x = Tensor.of(v, rows, dim);
        weight = Tensor.ones(dim);
        bias = Tensor.zeros(dim);
    }

    @Benchmark
    public Tensor softmax() {
        try (NoGrad g = Tensor.noGrad()) {
            return x.softmax(-1);
        }
    }

    @Benchmark
    public Tensor layerNorm() {
        try (NoGrad g = Tensor.noGrad()) {
            return x.layerNorm(weight, bias, 1e-5f);
        }
    }
}
