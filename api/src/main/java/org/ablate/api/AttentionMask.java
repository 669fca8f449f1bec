package org.ablate.api;

import org.ablate.tensor.IntTensor;

/**
 * Which keys each query may attend to.
 *
 * <p>{@code causal}: the query at absolute position {@code offset + i} sees keys {@code 0 .. offset + i}
 * (keys are positions {@code 0 .. Lk-1}; {@code offset = Lk - Lq}, the cached length). {@code keyPadding}:
 * {@code [B, Lk]}, 1 = a real token, 0 = padding never attended to; {@code null} means no padding.
 * A query row whose keys are all masked yields a zero context vector, never NaN.
 *
 * @param causal     mask future keys
 * @param keyPadding {@code [B, Lk]} of 1/0, or {@code null}
 */
@Stable
public record AttentionMask(boolean causal, IntTensor keyPadding) {
    public static final AttentionMask NONE = new AttentionMask(false, null);
    public static final AttentionMask CAUSAL = new AttentionMask(true, null);

    public static AttentionMask padding(IntTensor keyPadding) { return new AttentionMask(false, keyPadding); }

    public static AttentionMask causal(IntTensor keyPadding) { return new AttentionMask(true, keyPadding); }
}
