package org.ablate.heads;

import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.HeadSpec;
import org.ablate.api.Init;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/** BERT's pooler: {@code tanh(dense(hidden[:, 0]))}, one vector per sequence; weights {@code dense.*}. */
public final class PoolerProvider extends Versioned {
    @Override public String id() { return "pooler"; }

    @Override public String description() { return "BERT's pooler: tanh(dense(first token)) per sequence (Devlin et al. 2019)"; }

    @Override public Head create(HeadSpec spec, Params params, ParameterScope scope) {
        int e = spec.dModel();
        Tensor w = scope.parameter("dense.weight", Init.normal(0.02), e, e);
        Tensor b = scope.parameter("dense.bias", Init.zeros(), e);
        return new Head() {
            @Override public Tensor forward(Tensor hidden, IntTensor padding) { return Pooling.first(hidden).linear(w, b).tanh(); }
            @Override public HeadOutput output() { return HeadOutput.SEQUENCE_VECTOR; }
        };
    }
}
