package org.ablate.run;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

import org.ablate.api.ApiVersion;
import org.ablate.api.Batch;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.HeadProvider;
import org.ablate.api.HeadSpec;
import org.ablate.api.Loss;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * What a third-party plugin contributes, registered like one (META-INF/services): an objective (next-token
 * cross-entropy plus PaLM's z-loss), a head (Gemma 2's logit soft-capping) and a Guice module adding a callback.
 */
final class PluginParts {
    static final AtomicInteger CALLBACK_STEPS = new AtomicInteger();

    private PluginParts() {}

    public static final class ZLoss implements ObjectiveProvider {
        @Override public String id() { return "test-z-loss"; }
        @Override public String description() { return "next-token cross-entropy plus weight * log(Z)^2 (Chowdhery et al. 2022)"; }
        @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
        @Override public List<ParamSpec> parameters() { return List.of(ParamSpec.real("weight", 1e-4, 0.0, true, null, false, "z-loss weight")); }

        @Override public Objective create(Params params) {
            float w = (float) params.getDouble("weight");
            return (net, batch, random) -> {
                IntTensor ids = batch.get("input_ids"), labels = batch.get("labels");
                Tensor logits = net.head("lm_head").forward(net.decode(ids, null, null, null), null);
                int v = logits.size(-1);
                Tensor ce = Tensor.crossEntropy(logits.reshape(-1, v), IntTensor.of(labels.data(), labels.numel()), Batch.IGNORE, 0f);
                Tensor logZ = logits.exp().sum(2, false).log();
                return new Loss(ce.add(logZ.mul(logZ).mean().mul(w)), labels.numel(), Map.of());
            };
        }
    }

    public static final class SoftCapHead implements HeadProvider {
        @Override public String id() { return "test-softcap-lm"; }
        @Override public String description() { return "tied LM head with logits soft-capped as cap * tanh(logits / cap) (Gemma 2)"; }
        @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
        @Override public List<ParamSpec> parameters() { return List.of(ParamSpec.real("cap", 30.0, 0.0, false, null, false, "the cap")); }

        @Override public Head create(HeadSpec spec, Params params, ParameterScope scope) {
            float cap = (float) params.getDouble("cap");
            return new Head() {
                @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                    return hidden.linear(spec.tokenEmbedding(), null).div(cap).tanh().mul(cap);
                }
                @Override public HeadOutput output() { return HeadOutput.TOKEN_LOGITS; }
            };
        }
    }

    public static final class CountingPlugin implements RunPlugin {
        @Override public String name() { return "test counting plugin"; }

        @Override public Module module(RunSpec spec) {
            return new AbstractModule() {
                @Override protected void configure() {
                    Multibinder.newSetBinder(binder(), TrainingCallback.class).addBinding().toInstance(new TrainingCallback() {
                        @Override public void step(int step, int total, double loss, double lr, double tps) { CALLBACK_STEPS.incrementAndGet(); }
                    });
                }
            };
        }
    }
}
