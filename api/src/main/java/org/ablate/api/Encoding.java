package org.ablate.api;

/**
 * One encoded text (or text pair) as a model sees it.
 *
 * @param ids           token ids, special tokens included when asked for
 * @param tokens        the token strings, same length as {@code ids}
 * @param typeIds       segment ids: 0 for the first text, 1 for the pair (BERT's token type ids)
 * @param attentionMask 1 for real tokens, 0 for padding
 */
@Stable
public record Encoding(int[] ids, String[] tokens, int[] typeIds, int[] attentionMask) {
    public int length() { return ids.length; }
}
