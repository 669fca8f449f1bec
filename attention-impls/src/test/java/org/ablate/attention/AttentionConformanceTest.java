package org.ablate.attention;

import java.util.Map;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ComponentKind;
import org.ablate.api.ParameterScope;
import org.ablate.platform.ComponentRegistry;
import org.ablate.api.testing.ConformanceCase;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The {@code sdpa} cases through the kernel every variant calls, and the {@code mha} cases through the providers. */
class AttentionConformanceTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    @Test void scaledDotProductKernelMatchesPyTorch() {
        for (ConformanceCase c : ConformanceCase.ofKind("sdpa")) {
            Tensor q = c.tensor("q").requiresGrad(true), k = c.tensor("k").requiresGrad(true), v = c.tensor("v").requiresGrad(true);
            IntTensor padding = c.has("key_padding_mask") ? c.ints("key_padding_mask") : null;
            boolean causal = c.params().path("causal").asBoolean(false);
            Tensor[] probs = new Tensor[1];
            Tensor out = Tensor.scaledDotProductAttention(q, k, v, null, causal, padding, (float) (1 / Math.sqrt(q.size(-1))), probs);
            c.assertClose("out", c.tensor("out"), out);
            c.assertClose("probs", c.tensor("probs"), probs[0]);
            out.mul(c.tensor("grad_out")).sum().backward();
            c.assertClose("grad_q", c.tensor("grad_q"), q.grad());
            c.assertClose("grad_k", c.tensor("grad_k"), k.grad());
            c.assertClose("grad_v", c.tensor("grad_v"), v.grad());
        }
    }

    @Test void multiHeadAndCrossMatchTorchMultiheadAttention() {
        for (ConformanceCase c : ConformanceCase.ofKind("mha")) {
            int e = c.params().path("embed_dim").asInt(), h = c.params().path("num_heads").asInt();
            boolean cross = c.params().path("cross").asBoolean();
            String id = cross ? "cross" : "multi-head";
            ParameterScope root = ParameterScope.root(0);
            Attention attn = REGISTRY.attention(id).create(new AttentionSpec(e, h, h, true, 0.0, cross, null),
                    REGISTRY.params(ComponentKind.ATTENTION, id, Map.of()), root.child("attn"));
            for (String w : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                for (String part : new String[] {"weight", "bias"}) {
                    Tensor p = root.parameters().get("attn." + w + "." + part);
                    float[] src = c.tensor(w + "_" + part).toArray();
                    System.arraycopy(src, 0, p.data(), p.offset(), src.length);
                }
            }
            Tensor x = c.tensor("x").requiresGrad(true);
            Tensor memory = cross ? c.tensor("memory").requiresGrad(true) : x;
            IntTensor padding = c.has("key_padding_mask") ? c.ints("key_padding_mask") : null;
            attn.captureProbabilities(true);
            Tensor out = attn.forward(x, memory, AttentionMask.padding(padding), null);
            c.assertClose("out", c.tensor("out"), out);
            c.assertClose("probs", c.tensor("probs"), attn.capturedProbabilities());
            out.mul(c.tensor("grad_out")).sum().backward();
            c.assertClose("grad_x", c.tensor("grad_x"), x.grad());
            if (cross) c.assertClose("grad_memory", c.tensor("grad_memory"), memory.grad());
            for (String w : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                for (String part : new String[] {"weight", "bias"}) {
                    c.assertClose("grad_" + w + "_" + part, c.tensor("grad_" + w + "_" + part),
                            root.parameters().get("attn." + w + "." + part).grad());
                }
            }
        }
    }
}
