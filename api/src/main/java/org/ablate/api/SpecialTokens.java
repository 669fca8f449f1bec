package org.ablate.api;

/**
 * Ids of a tokenizer's special tokens, each {@code -1} when the scheme has none
 * (GPT-2 has only an end-of-text token, used as BOS, EOS and PAD; BERT has PAD, UNK, CLS, SEP, MASK).
 */
@Stable
public record SpecialTokens(int pad, int bos, int eos, int unk, int mask, int cls, int sep) {
    public static final int NONE = -1;

    public boolean has(int id) { return id != NONE; }
}
