package org.ablate.api;

/** What a {@link Head} computes from hidden states {@code [B, L, E]}. */
@Experimental
public enum HeadOutput {
    /** Logits over the vocabulary at every position: {@code [B, L, V]} (LM, masked LM). */
    TOKEN_LOGITS,
    /** Logits over labels per sequence: {@code [B, C]} (classification). */
    SEQUENCE_LOGITS,
    /** One vector per sequence: {@code [B, E]} (a pooler). */
    SEQUENCE_VECTOR,
    /** One number per sequence: {@code [B]} (a reward model). */
    SEQUENCE_SCALAR,
    /** One number per position: {@code [B, L]} (a value head). */
    TOKEN_SCALAR
}
