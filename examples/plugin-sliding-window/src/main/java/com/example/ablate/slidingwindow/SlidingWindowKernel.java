package com.example.ablate.slidingwindow;

import org.ablate.tensor.CustomOp;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.OpContext;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * Fused sliding-window causal attention: scores, mask, softmax and the weighted sum of values in one pass per
 * query, touching only the keys inside the window, so time and saved memory grow with {@code L·W} instead of
 * {@code L²}.
 *
 * <p>Inputs: {@code q [B, H, Lq, D]}, {@code k [B, Hkv, Lk, D]}, {@code v [B, Hkv, Lk, Dv]} with {@code Hkv} dividing
 * {@code H} (query head {@code h} reads key/value head {@code h / (H/Hkv)}), and an optional additive score bias
 * {@code [H or 1, Lq, Lk]}. The query at row {@code i} sits at absolute position {@code p = Lk - Lq + i} (the cached
 * length comes first) and sees keys {@code max(0, p - W + 1) .. p}, less padded keys. A row with no key left yields
 * zeros. Result: {@code [B, H, Lq, Dv]}. The backward pass reuses the saved window probabilities:
 * {@code dS = P ∘ (dP - rowsum(P ∘ dP))} with {@code dP = dO·Vᵀ}.
 */
final class SlidingWindowKernel extends CustomOp {
    private final int window;
    private final float scale;
    private final IntTensor padding;

    /**
     * @param window  keys each query sees, itself included; positive
     * @param scale   multiplier of {@code q·k}, usually {@code 1/sqrt(D)}
     * @param padding {@code [B, Lk]} with 1 for real keys and 0 for padding, or null
     */
    SlidingWindowKernel(int window, float scale, IntTensor padding) {
        super("sliding-window-attention");
        if (window <= 0) throw new IllegalArgumentException("sliding-window-attention: window must be positive, got " + window);
        this.window = window;
        this.scale = scale;
        this.padding = padding;
    }

    private record Shape(int b, int h, int hkv, int lq, int lk, int d, int dv, int w, int biasHeads) {
        int group() { return h / hkv; }
        int shift() { return lk - lq; }
    }

    private Shape shape(int[] q, int[] k, int[] v, int[] bias) {
        if (q.length != 4 || k.length != 4 || v.length != 4 || k[0] != q[0] || v[0] != q[0] || k[1] != v[1] || k[2] != v[2]
                || k[3] != q[3] || q[1] % k[1] != 0 || k[2] < q[2]) {
            throw new IllegalArgumentException(name() + ": expected q [B, H, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv] with Hkv | H and Lk >= Lq, got "
                    + java.util.Arrays.toString(q) + ", " + java.util.Arrays.toString(k) + ", " + java.util.Arrays.toString(v));
        }
        if (bias != null && (bias.length != 3 || (bias[0] != 1 && bias[0] != q[1]) || bias[1] != q[2] || bias[2] != k[2])) {
            throw new IllegalArgumentException(name() + ": score bias must be [" + q[1] + " or 1, " + q[2] + ", " + k[2] + "], got "
                    + java.util.Arrays.toString(bias));
        }
        if (padding != null && (padding.dim() != 2 || padding.size(0) != q[0] || padding.size(1) != k[2])) {
            throw new IllegalArgumentException(name() + ": key padding must be [" + q[0] + ", " + k[2] + "], got "
                    + java.util.Arrays.toString(padding.shape()));
        }
        return new Shape(q[0], q[1], k[1], q[2], k[2], q[3], v[3], Math.min(window, k[2]), bias == null ? 0 : bias[0]);
    }

    @Override protected Tensor forward(OpContext ctx, Tensor... in) {
        Tensor bias = in.length > 3 ? in[3] : null;
        Shape s = shape(in[0].shape(), in[1].shape(), in[2].shape(), bias == null ? null : bias.shape());
        float[] q = in[0].toArray(), k = in[1].toArray(), v = in[2].toArray(), bs = bias == null ? null : bias.toArray();
        float[] out = Workspace.floats(s.b() * s.h() * s.lq() * s.dv()); // reused across training steps
        float[] probs = Workspace.floats(s.b() * s.h() * s.lq() * s.w());
        float[] scores = new float[s.w()];
        for (int b = 0; b < s.b(); b++) {
            for (int h = 0; h < s.h(); h++) {
                int kvBase = (b * s.hkv() + h / s.group()) * s.lk();
                for (int i = 0; i < s.lq(); i++) {
                    int row = (b * s.h() + h) * s.lq() + i;
                    int pos = s.shift() + i, lo = Math.max(0, pos - s.w() + 1);
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = lo; j <= pos; j++) {
                        float sc = Float.NEGATIVE_INFINITY;
                        if (padding == null || padding.get(b, j) != 0) {
                            float dot = 0;
                            int qo = row * s.d(), ko = (kvBase + j) * s.d();
                            for (int c = 0; c < s.d(); c++) dot += q[qo + c] * k[ko + c];
                            sc = dot * scale;
                            if (bs != null) sc += bs[((s.biasHeads() == 1 ? 0 : h) * s.lq() + i) * s.lk() + j];
                        }
                        scores[j - lo] = sc;
                        max = Math.max(max, sc);
                    }
                    if (max == Float.NEGATIVE_INFINITY) continue; // every key masked: zeros, never NaN
                    float sum = 0;
                    for (int j = lo; j <= pos; j++) {
                        float e = scores[j - lo] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(scores[j - lo] - max);
                        scores[j - lo] = e;
                        sum += e;
                    }
                    int oo = row * s.dv();
                    for (int j = lo; j <= pos; j++) {
                        float p = scores[j - lo] / sum;
                        probs[row * s.w() + j - lo] = p;
                        int vo = (kvBase + j) * s.dv();
                        for (int c = 0; c < s.dv(); c++) out[oo + c] += p * v[vo + c];
                    }
                }
            }
        }
        if (ctx.needsGrad()) {
            ctx.put("q", q);
            ctx.put("k", k);
            ctx.put("v", v);
            ctx.put("probs", probs);
        }
        return Tensor.of(out, s.b(), s.h(), s.lq(), s.dv());
    }

    @Override protected Tensor[] backward(OpContext ctx, Tensor gradOutput) {
        boolean hasBias = ctx.inputCount() > 3 && ctx.inputShape(3) != null;
        Shape s = shape(ctx.inputShape(0), ctx.inputShape(1), ctx.inputShape(2), hasBias ? ctx.inputShape(3) : null);
        float[] q = ctx.get("q", float[].class), k = ctx.get("k", float[].class), v = ctx.get("v", float[].class);
        float[] probs = ctx.get("probs", float[].class), dOut = gradOutput.data();
        float[] dq = Workspace.floats(q.length), dk = Workspace.floats(k.length), dv = Workspace.floats(v.length);
        float[] dBias = hasBias ? Workspace.floats(s.biasHeads() * s.lq() * s.lk()) : null;
        float[] dScores = new float[s.w()];
        for (int b = 0; b < s.b(); b++) {
            for (int h = 0; h < s.h(); h++) {
                int kvBase = (b * s.hkv() + h / s.group()) * s.lk();
                for (int i = 0; i < s.lq(); i++) {
                    int row = (b * s.h() + h) * s.lq() + i;
                    int pos = s.shift() + i, lo = Math.max(0, pos - s.w() + 1);
                    int oo = row * s.dv(), qo = row * s.d();
                    float rowSum = 0;
                    for (int j = lo; j <= pos; j++) {
                        float p = probs[row * s.w() + j - lo];
                        int vo = (kvBase + j) * s.dv();
                        float dp = 0;
                        for (int c = 0; c < s.dv(); c++) {
                            dp += dOut[oo + c] * v[vo + c];
                            dv[vo + c] += p * dOut[oo + c];
                        }
                        dScores[j - lo] = dp;
                        rowSum += p * dp;
                    }
                    for (int j = lo; j <= pos; j++) {
                        float ds = probs[row * s.w() + j - lo] * (dScores[j - lo] - rowSum);
                        if (ds == 0f) continue;
                        int ko = (kvBase + j) * s.d();
                        for (int c = 0; c < s.d(); c++) {
                            dq[qo + c] += scale * ds * k[ko + c];
                            dk[ko + c] += scale * ds * q[qo + c];
                        }
                        if (dBias != null) dBias[((s.biasHeads() == 1 ? 0 : h) * s.lq() + i) * s.lk() + j] += ds;
                    }
                }
            }
        }
        Tensor[] grads = new Tensor[ctx.inputCount()];
        if (ctx.needsInputGrad(0)) grads[0] = Tensor.of(dq, ctx.inputShape(0));
        if (ctx.needsInputGrad(1)) grads[1] = Tensor.of(dk, ctx.inputShape(1));
        if (ctx.needsInputGrad(2)) grads[2] = Tensor.of(dv, ctx.inputShape(2));
        if (dBias != null && ctx.needsInputGrad(3)) grads[3] = Tensor.of(dBias, ctx.inputShape(3));
        return grads;
    }
}
