package com.example.ablate.slidingwindow;

import java.util.Arrays;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionSpec;
import org.ablate.api.Init;
import org.ablate.api.KvCache;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.tensor.Tensor;

/**
 * Q/K/V/output projections around {@link SlidingWindowKernel}. Weights follow the toolkit's naming
 * ({@code q_proj.weight [H·Dh, E]}, {@code k_proj.weight}, {@code v_proj.weight [Hkv·Dh, E]}, {@code out_proj.weight},
 * biases when asked), so checkpoints look like those of the built-in attention. The positional encoding's rotation
 * and score bias are applied as the SPI asks. With a cache, every key is kept but the kernel reads only the window.
 */
final class SlidingWindowAttention implements Attention {
    private final int dModel, heads, kvHeads, headDim, window;
    private final PositionalEncoding positional;
    private final Tensor wq, bq, wk, bk, wv, bv, wo, bo;

    SlidingWindowAttention(AttentionSpec spec, int window, ParameterScope scope) {
        this.dModel = spec.dModel();
        this.heads = spec.heads();
        this.kvHeads = spec.kvHeads();
        this.headDim = spec.headDim();
        this.window = window;
        this.positional = spec.positional() == null ? new PositionalEncoding() {} : spec.positional();
        Init w = Init.normal(0.02);
        int qOut = heads * headDim, kvOut = kvHeads * headDim;
        wq = scope.parameter("q_proj.weight", w, qOut, dModel);
        bq = spec.bias() ? scope.parameter("q_proj.bias", Init.zeros(), qOut) : null;
        wk = scope.parameter("k_proj.weight", w, kvOut, dModel);
        bk = spec.bias() ? scope.parameter("k_proj.bias", Init.zeros(), kvOut) : null;
        wv = scope.parameter("v_proj.weight", w, kvOut, dModel);
        bv = spec.bias() ? scope.parameter("v_proj.bias", Init.zeros(), kvOut) : null;
        wo = scope.parameter("out_proj.weight", w, dModel, qOut);
        bo = spec.bias() ? scope.parameter("out_proj.bias", Init.zeros(), dModel) : null;
    }

    @Override public Tensor forward(Tensor query, Tensor keyValue, AttentionMask mask, KvCache cache) {
        check("query", query);
        check("keys/values", keyValue);
        if (mask == null || !mask.causal()) {
            throw new IllegalArgumentException("sliding-window: needs a causal mask (it is causal self-attention; use it in a decoder)");
        }
        int b = query.size(0), lq = query.size(1);
        int offset = cache == null ? 0 : cache.length();
        Tensor q = positional.rotate(split(query.linear(wq, bq), heads), offset);
        Tensor k = positional.rotate(split(keyValue.linear(wk, bk), kvHeads), offset);
        Tensor v = split(keyValue.linear(wv, bv), kvHeads);
        if (cache != null) {
            cache.append(k, v);
            k = cache.keys();
            v = cache.values();
        }
        int lk = k.size(2);
        Tensor bias = positional.scoreBias(lq, lk - lq, lk);
        var kernel = new SlidingWindowKernel(window, (float) (1.0 / Math.sqrt(headDim)), mask.keyPadding());
        Tensor context = kernel.apply(q, k, v, bias);
        return context.transpose(1, 2).reshape(b, lq, heads * headDim).linear(wo, bo);
    }

    private void check(String what, Tensor x) {
        if (x == null || x.dim() != 3 || x.size(2) != dModel) {
            throw new IllegalArgumentException("sliding-window: " + what + " must be [B, L, " + dModel + "], got "
                    + (x == null ? "null" : Arrays.toString(x.shape())));
        }
    }

    /** {@code [B, L, n·Dh]} to {@code [B, n, L, Dh]}. */
    private Tensor split(Tensor x, int n) {
        return x.reshape(x.size(0), x.size(1), n, headDim).transpose(1, 2);
    }
}
