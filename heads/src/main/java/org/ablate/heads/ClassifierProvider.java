package org.ablate.heads;

import java.util.List;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.HeadSpec;
import org.ablate.api.Init;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Sequence classification: pool the hidden states (the first token, as BERT, or the mean over the
 * padding mask), optionally through BERT's {@code tanh(dense)} pooler ({@code pooler.*}), dropout, then
 * {@code out.weight [labels, E]} and {@code out.bias}.
 */
public final class ClassifierProvider extends Versioned {
    @Override public String id() { return "classifier"; }

    @Override public String description() { return "sequence classifier on the pooled first token or the masked mean (BERT's sequence classification head)"; }

    @Override public List<ParamSpec> parameters() {
        return List.of(ParamSpec.integer("labels", 2, 2, null, "number of classes"),
                ParamSpec.choice("pooling", "first", List.of("first", "mean"), "first token (BERT's [CLS]) or the mean over unpadded tokens"),
                ParamSpec.bool("pooler", true, "pass the pooled vector through tanh(dense) first (BERT's pooler)"));
    }

    @Override public Head create(HeadSpec spec, Params params, ParameterScope scope) {
        int e = spec.dModel(), labels = params.getInt("labels");
        boolean mean = params.getString("pooling").equals("mean");
        Tensor pw = params.getBoolean("pooler") ? scope.parameter("pooler.weight", Init.normal(0.02), e, e) : null;
        Tensor pb = pw != null ? scope.parameter("pooler.bias", Init.zeros(), e) : null;
        Tensor w = scope.parameter("out.weight", Init.normal(0.02), labels, e);
        Tensor b = scope.parameter("out.bias", Init.zeros(), labels);
        String site = scope.prefix() + ".dropout";
        return new Head() {
            @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                Tensor pooled = mean ? Pooling.mean(hidden, padding) : Pooling.first(hidden);
                if (pw != null) pooled = pooled.linear(pw, pb).tanh();
                return Dropout.apply(pooled, spec.dropout(), site).linear(w, b);
            }
            @Override public HeadOutput output() { return HeadOutput.SEQUENCE_LOGITS; }
        };
    }
}
