package org.ablate.bench;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ComponentKind;
import org.ablate.api.KvCache;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.Tensor;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Attention layers found through the registry, at d_model 512 (8 heads of 64): one training step's forward and
 * backward over a causal batch of 8 × 256, and one cached decoding step (batch 1) against 1024 cached positions.
 * {@code grouped-query} uses 2 key/value heads; {@code cross} attends to a 256-long memory (and, when decoding,
 * to 1024 cached memory positions); {@code scaled-dot-product} is one head of 512.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main AttentionBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class AttentionBench {
    static final int BATCH = 8, HEADS = 8, HEAD_DIM = 64, LENGTH = 256, D_MODEL = HEADS * HEAD_DIM, CACHED = 1024;

    @Param({"multi-head", "grouped-query", "cross", "scaled-dot-product"})
    public String attention;

    @Param({"rope"})
    public String positional;

    private Attention layer;
    private Tensor x;
    private Tensor memory;
    private Tensor token;
    private Tensor cachedKeys;
    private Tensor cachedValues;
    private KvCache cache;
    private ParameterScope scope;

    @Setup(Level.Trial)
    public void build() {
        ComponentRegistry registry = ComponentRegistry.discover();
        boolean single = attention.equals("scaled-dot-product");
        boolean cross = attention.equals("cross");
        int heads = single ? 1 : HEADS;
        int kvHeads = attention.equals("grouped-query") ? 2 : heads;
        scope = ParameterScope.root(1);
        PositionalEncoding pe = registry.positional(positional).create(new PositionalSpec(D_MODEL, heads, D_MODEL / heads, 4096),
                registry.params(ComponentKind.POSITIONAL_ENCODING, positional, Map.of()), scope.child("pos"));
        layer = registry.attention(attention).create(new AttentionSpec(D_MODEL, heads, kvHeads, true, 0.0, cross, pe),
                registry.params(ComponentKind.ATTENTION, attention, Map.of()), scope.child("attn"));
        SplittableRandom r = new SplittableRandom(2);
        x = Tensor.randn(r, 1f, BATCH, LENGTH, D_MODEL).requiresGrad(true);
        memory = cross ? Tensor.randn(r, 1f, BATCH, LENGTH, D_MODEL).requiresGrad(true) : x;
        token = Tensor.randn(r, 1f, 1, 1, D_MODEL);
        cachedKeys = Tensor.randn(r, 1f, 1, kvHeads, CACHED, D_MODEL / heads);
        cachedValues = Tensor.randn(r, 1f, 1, kvHeads, CACHED, D_MODEL / heads);
    }

    /** A fresh cache holding 1024 positions before each decoding step (not timed). */
    @Setup(Level.Invocation)
    public void fillCache() {
        cache = KvCache.create(2 * CACHED);
        cache.append(cachedKeys, cachedValues);
    }

    @Benchmark
    public float forwardBackward() {
        for (Tensor p : scope.parameters().values()) p.zeroGrad();
        x.zeroGrad();
        memory.zeroGrad();
        Tensor out = layer.forward(x, memory, attention.equals("cross") ? AttentionMask.NONE : AttentionMask.CAUSAL, null);
        Tensor loss = out.sum();
        loss.backward();
        return loss.item();
    }

    @Benchmark
    public float decodeStep() {
        try (var g = Tensor.noGrad()) {
            Tensor out = layer.forward(token, token, attention.equals("cross") ? AttentionMask.NONE : AttentionMask.CAUSAL, cache);
            return out.get(0, 0, 0);
        }
    }
}
