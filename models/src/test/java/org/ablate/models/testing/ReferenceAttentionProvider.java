package org.ablate.models.testing;

import org.ablate.api.ApiVersion;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionProvider;
import org.ablate.api.AttentionSpec;
import org.ablate.api.Init;
import org.ablate.api.KvCache;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.tensor.Tensor;

/**
 * A plain multi-head / grouped-query attention written directly on the tensor API, registered for the
 * tests only (through the test class path's service file), so that models can be assembled and checked
 * against Hugging Face references independently of the attention module.
 */
public final class ReferenceAttentionProvider implements AttentionProvider {
    @Override public String id() { return "reference-mha"; }
    @Override public String description() { return "test-only multi-head attention with grouped key/value heads"; }
    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public Attention create(AttentionSpec spec, Params params, ParameterScope scope) {
        int e = spec.dModel(), h = spec.heads(), hkv = spec.kvHeads(), dh = spec.headDim();
        Tensor wq = scope.parameter("q_proj.weight", Init.normal(0.02), h * dh, e);
        Tensor bq = spec.bias() ? scope.parameter("q_proj.bias", Init.zeros(), h * dh) : null;
        Tensor wk = scope.parameter("k_proj.weight", Init.normal(0.02), hkv * dh, e);
        Tensor bk = spec.bias() ? scope.parameter("k_proj.bias", Init.zeros(), hkv * dh) : null;
        Tensor wv = scope.parameter("v_proj.weight", Init.normal(0.02), hkv * dh, e);
        Tensor bv = spec.bias() ? scope.parameter("v_proj.bias", Init.zeros(), hkv * dh) : null;
        Tensor wo = scope.parameter("out_proj.weight", Init.normal(0.02), e, h * dh);
        Tensor bo = spec.bias() ? scope.parameter("out_proj.bias", Init.zeros(), e) : null;
        PositionalEncoding pe = spec.positional();
        return new Attention() {
            @Override public Tensor forward(Tensor query, Tensor keyValue, AttentionMask mask, KvCache cache) {
                int b = query.size(0), lq = query.size(1);
                Tensor q = heads(query.linear(wq, bq), h);
                Tensor k, v;
                int offset = 0;
                Tensor bias = null;
                if (spec.cross()) {
                    if (cache != null && !cache.isEmpty()) {
                        k = cache.keys();
                        v = cache.values();
                    } else {
                        k = heads(keyValue.linear(wk, bk), hkv);
                        v = heads(keyValue.linear(wv, bv), hkv);
                        if (cache != null) cache.append(k, v);
                    }
                } else {
                    offset = cache == null ? 0 : cache.length();
                    k = heads(query.linear(wk, bk), hkv);
                    v = heads(query.linear(wv, bv), hkv);
                    if (pe != null) {
                        q = pe.rotate(q, offset);
                        k = pe.rotate(k, offset);
                    }
                    if (cache != null) {
                        cache.append(k, v);
                        k = cache.keys();
                        v = cache.values();
                    }
                }
                int lk = k.size(2);
                if (!spec.cross() && pe != null) bias = pe.scoreBias(lq, offset, lk);
                if (hkv != h) {
                    k = k.unsqueeze(2).expand(b, hkv, h / hkv, lk, dh).reshape(b, h, lk, dh);
                    v = v.unsqueeze(2).expand(b, hkv, h / hkv, lk, dh).reshape(b, h, lk, dh);
                }
                Tensor out = Tensor.scaledDotProductAttention(q, k, v, bias, mask.causal() && !spec.cross(),
                        mask.keyPadding(), (float) (1 / Math.sqrt(dh)), null);
                return out.transpose(1, 2).reshape(b, lq, h * dh).linear(wo, bo);
            }
        };
    }

    /** {@code [B, L, n·Dh]} to {@code [B, n, L, Dh]}. */
    private static Tensor heads(Tensor x, int n) {
        int b = x.size(0), l = x.size(1), d = x.size(2) / n;
        return x.reshape(b, l, n, d).transpose(1, 2);
    }
}
