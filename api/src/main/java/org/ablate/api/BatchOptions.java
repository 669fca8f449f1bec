package org.ablate.api;

/**
 * How {@link Tokenizer#encodeBatch} shapes a batch.
 *
 * @param addSpecialTokens add the scheme's markers ([CLS] ... [SEP] for BERT; nothing for GPT-2)
 * @param maxLength        truncate each encoding to this many tokens (special tokens included); 0 = no limit
 * @param padToLongest     pad every row to the longest row with the PAD id (mask 0)
 * @param padLeft          pad on the left (decoder-only generation) instead of the right
 */
@Stable
public record BatchOptions(boolean addSpecialTokens, int maxLength, boolean padToLongest, boolean padLeft) {
    public static final BatchOptions DEFAULT = new BatchOptions(true, 0, true, false);

    public BatchOptions {
        if (maxLength < 0) throw new IllegalArgumentException("batch options: max_length must be >= 0, got " + maxLength);
    }
}
