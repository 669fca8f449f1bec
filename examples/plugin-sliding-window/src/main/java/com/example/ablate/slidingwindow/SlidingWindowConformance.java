package com.example.ablate.slidingwindow;

import org.ablate.api.ConformanceCase;
import org.ablate.api.ConformanceKind;
import org.ablate.tensor.Tensor;

/**
 * The plugin's own reference cases (kind {@code sliding-window-attention}, made with PyTorch by
 * {@code conformance/make_cases.py}): the fused kernel's output and the gradients of q, k and v, checked by
 * {@code ablate conformance examples/plugin-sliding-window/conformance --plugins DIR}.
 */
public final class SlidingWindowConformance implements ConformanceKind {
    @Override public String kind() { return "sliding-window-attention"; }

    @Override public void check(ConformanceCase c) throws Exception {
        int window = (int) c.param("window", 0);
        Tensor q = c.tensor("q").requiresGrad(true), k = c.tensor("k").requiresGrad(true), v = c.tensor("v").requiresGrad(true);
        Tensor out = new SlidingWindowKernel(window, (float) (1.0 / Math.sqrt(q.size(-1))), null).apply(q, k, v, null);
        out.mul(c.tensor("grad_out")).sum().backward();
        c.close("out", c.tensor("out"), out);
        c.close("grad_q", c.tensor("grad_q"), q.grad());
        c.close("grad_k", c.tensor("grad_k"), k.grad());
        c.close("grad_v", c.tensor("grad_v"), v.grad());
    }
}
