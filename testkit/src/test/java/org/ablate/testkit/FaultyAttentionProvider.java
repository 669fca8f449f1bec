package org.ablate.testkit;

import java.util.List;
import java.util.Random;
import org.ablate.api.ApiVersion;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionProvider;
import org.ablate.api.AttentionSpec;
import org.ablate.api.Init;
import org.ablate.api.KvCache;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.CustomOp;
import org.ablate.tensor.OpContext;
import org.ablate.tensor.Tensor;

/** A small single-projection attention that breaks exactly one part of the contract, chosen by {@link Fault}. */
final class FaultyAttentionProvider implements AttentionProvider {
    enum Fault { NONE, DEFAULT_OUT_OF_RANGE, NEWER_SPI, DUPLICATE_WEIGHT, UPPER_CASE_WEIGHT, UNSEEDED_INIT, WRONG_BACKWARD, IGNORES_CACHE }

    private final Fault fault;

    FaultyAttentionProvider(Fault fault) { this.fault = fault; }

    @Override public String id() { return "faulty-" + fault.name().toLowerCase().replace('_', '-'); }
    @Override public String description() { return "Attention with one deliberate fault, for the testkit's own tests"; }

    @Override public ApiVersion apiVersion() {
        return fault == Fault.NEWER_SPI ? new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR + 1) : ApiVersion.current();
    }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("temperature", fault == Fault.DEFAULT_OUT_OF_RANGE ? 0.0 : 1.0, 0.0, false, null, true,
                "divides the scores"));
    }

    @Override public Attention create(AttentionSpec spec, Params params, ParameterScope scope) {
        int e = spec.dModel();
        Init init = fault == Fault.UNSEEDED_INIT
                ? (values, shape, random) -> { Random r = new Random(); for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian() * 0.02f; }
                : Init.normal(0.02);
        Tensor wq = scope.parameter(fault == Fault.UPPER_CASE_WEIGHT ? "Q.weight" : "q.weight", init, e, e);
        Tensor wk = scope.parameter(fault == Fault.DUPLICATE_WEIGHT ? "q.weight" : "k.weight", init, e, e);
        Tensor wv = scope.parameter("v.weight", init, e, e);
        float scale = (float) (1 / (Math.sqrt(e) * params.getDouble("temperature")));
        return (query, keyValue, mask, cache) -> {
            int b = query.size(0), lq = query.size(1);
            Tensor q = project(query, wq);
            Tensor k = project(keyValue, wk), v = project(keyValue, wv);
            if (cache != null && fault != Fault.IGNORES_CACHE) {
                cache.append(k, v);
                k = cache.keys();
                v = cache.values();
            }
            Tensor ctx = Tensor.scaledDotProductAttention(q, k, v, null, mask.causal(), null, scale, null);
            return ctx.reshape(b, lq, e);
        };
    }

    private Tensor project(Tensor x, Tensor w) {
        Tensor y = x.linear(w, null);
        if (fault == Fault.WRONG_BACKWARD) y = new HalfGradient().apply(y);
        return y.reshape(x.size(0), 1, x.size(1), x.size(2));
    }

    /** The identity with a backward that halves the gradient. */
    private static final class HalfGradient extends CustomOp {
        HalfGradient() { super("half-gradient"); }
        @Override protected Tensor forward(OpContext ctx, Tensor... in) { return in[0].contiguous(); }
        @Override protected Tensor[] backward(OpContext ctx, Tensor g) { return new Tensor[] {g.mul(0.5f)}; }
    }
}
