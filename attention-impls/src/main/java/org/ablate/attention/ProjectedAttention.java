package org.ablate.attention;

import java.util.Arrays;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.Init;
import org.ablate.api.KvCache;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * Attention with Q/K/V/output projections over {@code heads} query heads and {@code kvHeads} key/value heads of
 * width {@code headDim}; every variant of this module is one configuration of it. Weights: {@code q_proj.weight
 * [H·Dh, E]}, {@code k_proj.weight} and {@code v_proj.weight [Hkv·Dh, E]}, {@code out_proj.weight [E, H·Dh]}, each
 * with {@code .bias} when asked. Self-attention applies the positional encoding's rotation to queries and keys (at
 * offset = cache length) and its score bias; cross-attention applies neither and computes the memory's keys and
 * values once per cache.
 */
final class ProjectedAttention implements Attention {
    private final String name;
    private final int dModel;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final boolean cross;
    private final double dropout;
    private final PositionalEncoding positional;
    private final int positionalHeads;
    private final Tensor wq, bq, wk, bk, wv, bv, wo, bo;
    private final String dropoutSite;
    private boolean capture;
    private Tensor captured;

    ProjectedAttention(String name, int dModel, int heads, int kvHeads, boolean bias, double dropout, boolean cross,
                       PositionalEncoding positional, ParameterScope scope) {
        this(name, dModel, heads, kvHeads, bias, dropout, cross, positional, heads, scope);
    }

    /**
     * @param positionalHeads the head layout the positional encoding was built for; differs from {@code heads} only
     *                        for a single head, which is then rotated in {@code positionalHeads} chunks of
     *                        {@code dModel / positionalHeads} and takes the mean of the per-head score biases
     */
    ProjectedAttention(String name, int dModel, int heads, int kvHeads, boolean bias, double dropout, boolean cross,
                       PositionalEncoding positional, int positionalHeads, ParameterScope scope) {
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": kv_heads " + kvHeads + " does not divide heads " + heads);
        }
        if (dModel % heads != 0) {
            throw new IllegalArgumentException(name + ": d_model " + dModel + " is not divisible by heads " + heads);
        }
        this.name = name;
        this.dModel = dModel;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = dModel / heads;
        this.cross = cross;
        this.dropout = dropout;
        this.positional = positional == null ? new PositionalEncoding() {} : positional;
        if (positionalHeads != heads && (heads != 1 || dModel % positionalHeads != 0)) {
            throw new IllegalArgumentException(name + ": a positional layout of " + positionalHeads + " heads needs one head of a width it divides");
        }
        this.positionalHeads = positionalHeads;
        Init w = Init.normal(0.02);
        int qOut = heads * headDim, kvOut = kvHeads * headDim;
        wq = scope.parameter("q_proj.weight", w, qOut, dModel);
        bq = bias ? scope.parameter("q_proj.bias", Init.zeros(), qOut) : null;
        wk = scope.parameter("k_proj.weight", w, kvOut, dModel);
        bk = bias ? scope.parameter("k_proj.bias", Init.zeros(), kvOut) : null;
        wv = scope.parameter("v_proj.weight", w, kvOut, dModel);
        bv = bias ? scope.parameter("v_proj.bias", Init.zeros(), kvOut) : null;
        wo = scope.parameter("out_proj.weight", w, dModel, qOut);
        bo = bias ? scope.parameter("out_proj.bias", Init.zeros(), dModel) : null;
        dropoutSite = scope.prefix() + ".attn_probs";
    }

    @Override public Tensor forward(Tensor query, Tensor keyValue, AttentionMask mask, KvCache cache) {
        checkInput("query", query);
        int b = query.size(0), lq = query.size(1);
        // Self-attention projects one input three times: linears runs a decoding step's three products as one job.
        Tensor[] qkv = !cross && keyValue == query ? query.linears(new Tensor[] {wq, wk, wv}, new Tensor[] {bq, bk, bv}) : null;
        Tensor q = split(qkv != null ? qkv[0] : query.linear(wq, bq), heads);
        Tensor k, v;
        Tensor bias = null;
        if (cross) {
            if (cache != null && !cache.isEmpty()) {
                k = cache.keys();
                v = cache.values();
            } else {
                checkInput("memory", keyValue);
                k = split(keyValue.linear(wk, bk), kvHeads);
                v = split(keyValue.linear(wv, bv), kvHeads);
                if (cache != null) cache.append(k, v);
            }
        } else {
            checkInput("keys/values", keyValue);
            int offset = cache == null ? 0 : cache.length();
            q = rotate(q, offset);
            Tensor kNew = rotate(split(qkv != null ? qkv[1] : keyValue.linear(wk, bk), kvHeads), offset);
            Tensor vNew = split(qkv != null ? qkv[2] : keyValue.linear(wv, bv), kvHeads);
            if (cache != null) {
                cache.append(kNew, vNew);
                k = cache.keys();
                v = cache.values();
            } else {
                k = kNew;
                v = vNew;
            }
            bias = positional.scoreBias(lq, k.size(2) - lq, k.size(2));
            if (bias != null && heads == 1 && bias.dim() == 3 && bias.size(0) > 1) {
                bias = bias.mean(0, true); // a linear bias in the slope: the mean bias is the bias of the mean slope
            }
            if (bias != null && bias.dim() == 3 && bias.size(0) != heads && bias.size(0) != 1) {
                throw new IllegalArgumentException(name + ": the positional encoding's score bias has " + bias.size(0)
                        + " heads but this attention has " + heads + "; build the encoding for " + heads + " heads");
            }
        }
        if (k.size(0) != b) {
            throw new IllegalArgumentException(name + ": batch of the query is " + b + " but the keys/values have " + k.size(0));
        }
        int lk = k.size(2);
        IntTensor padding = mask == null ? null : mask.keyPadding();
        boolean causal = mask != null && mask.causal();
        if (padding != null && (padding.dim() != 2 || padding.size(0) != b || padding.size(1) != lk)) {
            throw new IllegalArgumentException(name + ": key padding mask must be [" + b + ", " + lk
                    + "] (all keys, cached ones included), got " + Arrays.toString(padding.shape()));
        }
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int group = heads / kvHeads;
        boolean training = dropout > 0 && Dropout.active();
        Tensor context;
        if (group > 1 && !training && (!causal || lq == 1) && (bias == null || (bias.dim() == 3 && bias.size(0) == heads))) {
            // Query heads sharing a key/value head are stacked along the query axis, so the shared keys and values
            // are read once instead of being copied per head. Valid when no causal mask applies (a single query
            // sees every key up to its own position, which is the last one).
            Tensor qg = q.reshape(b, kvHeads, group * lq, headDim);
            Tensor bg = bias == null ? null : bias.reshape(kvHeads, group * lq, lk);
            Tensor[] probs = capture ? new Tensor[1] : null;
            context = Tensor.scaledDotProductAttention(qg, k, v, bg, false, padding, scale, probs).reshape(b, heads, lq, headDim);
            captured = capture ? probs[0].reshape(b, heads, lq, lk) : null;
        } else {
            k = repeatHeads(k);
            v = repeatHeads(v);
            if (training) {
                context = withDropout(q, k, v, bias, causal, padding, scale);
            } else {
                Tensor[] probs = capture ? new Tensor[1] : null;
                context = Tensor.scaledDotProductAttention(q, k, v, bias, causal, padding, scale, probs);
                captured = capture ? probs[0] : null;
            }
        }
        Tensor merged = context.transpose(1, 2).reshape(b, lq, heads * headDim);
        return merged.linear(wo, bo);
    }

    // Training path with dropout on the probabilities, which the fused kernel does not do; the probabilities
    // come from the kernel run on identity values, so masking and all-masked rows behave the same.
    private Tensor withDropout(Tensor q, Tensor k, Tensor v, Tensor bias, boolean causal, IntTensor padding, float scale) {
        Tensor[] probsOut = new Tensor[1];
        Tensor scores = q.matmul(k.transpose(2, 3)).mul(scale);
        if (bias != null) scores = scores.add(bias);
        int lq = q.size(2), lk = k.size(2);
        float[] allowed = Workspace.floats(q.size(0) * lq * lk);
        int shift = lk - lq;
        for (int b = 0; b < q.size(0); b++) {
            for (int i = 0; i < lq; i++) {
                for (int j = 0; j < lk; j++) {
                    boolean ok = (!causal || j <= i + shift) && (padding == null || padding.get(b, j) != 0);
                    allowed[(b * lq + i) * lk + j] = ok ? 1f : 0f;
                }
            }
        }
        Tensor keep = Tensor.of(allowed, q.size(0), 1, lq, lk);
        Tensor masked = scores.maskedFill(keep.eq(0f), -1e30f);
        Tensor rowHasKey = keep.sum(3, true).gt(0f);
        Tensor probs = masked.softmax(3).mul(keep).mul(rowHasKey);
        if (capture) probsOut[0] = probs.detach();
        captured = probsOut[0];
        Tensor dropped = Dropout.apply(probs, dropout, dropoutSite);
        return dropped.matmul(v);
    }

    private void checkInput(String what, Tensor x) {
        if (x == null || x.dim() != 3 || x.size(2) != dModel) {
            throw new IllegalArgumentException(name + ": " + what + " must be [B, L, " + dModel + "], got "
                    + (x == null ? "null" : Arrays.toString(x.shape())));
        }
    }

    /** The positional rotation of {@code [B, n, L, Dh]}; a single head is rotated in the encoding's head layout. */
    private Tensor rotate(Tensor x, int offset) {
        if (positionalHeads == heads) return positional.rotate(x, offset);
        int b = x.size(0), l = x.size(2), chunk = dModel / positionalHeads;
        Tensor grouped = x.transpose(1, 2).reshape(b, l, positionalHeads, chunk).transpose(1, 2);
        return positional.rotate(grouped, offset).transpose(1, 2).reshape(b, l, 1, dModel).transpose(1, 2);
    }

    /** {@code [B, L, n·Dh]} to {@code [B, n, L, Dh]}. */
    private Tensor split(Tensor x, int n) {
        return x.reshape(x.size(0), x.size(1), n, headDim).transpose(1, 2);
    }

    /** Key/value heads shared by groups of query heads: {@code [B, Hkv, L, Dh]} to {@code [B, H, L, Dh]}. */
    private Tensor repeatHeads(Tensor x) {
        if (kvHeads == heads) return x;
        int b = x.size(0), l = x.size(2), group = heads / kvHeads;
        return x.unsqueeze(2).expand(b, kvHeads, group, l, headDim).reshape(b, heads, l, headDim);
    }

    @Override public void captureProbabilities(boolean on) {
        capture = on;
        if (!on) captured = null;
    }

    @Override public Tensor capturedProbabilities() { return captured; }

    @Override public String toString() {
        return name + "[d_model=" + dModel + ", heads=" + heads + ", kv_heads=" + kvHeads + (cross ? ", cross" : "") + "]";
    }
}
