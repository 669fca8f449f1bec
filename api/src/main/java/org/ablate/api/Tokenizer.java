package org.ablate.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Text to token ids and back.
 *
 * <p>{@link #encode} gives the ids of a text alone; {@link #encodeForModel} adds the scheme's special
 * tokens and handles sentence pairs. Decoding skips nothing unless asked. Instances are immutable
 * after creation and safe to share between threads.
 */
@Stable
public interface Tokenizer {
    /** Ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /** The text of {@code ids}; for byte-level schemes {@code decode(encode(s)).equals(s)} for every string. */
    String decode(int[] ids);

    /** The text of {@code ids}, leaving out special tokens when {@code skipSpecialTokens}. */
    default String decode(int[] ids, boolean skipSpecialTokens) {
        if (!skipSpecialTokens) return decode(ids);
        SpecialTokens sp = specialTokens();
        return decode(java.util.Arrays.stream(ids).filter(id -> !isSpecial(id, sp)).toArray());
    }

    private static boolean isSpecial(int id, SpecialTokens sp) {
        return id == sp.pad() || id == sp.bos() || id == sp.eos()
                || id == sp.mask() || id == sp.cls() || id == sp.sep();
    }

    /** Number of ids, special tokens included. */
    int vocabSize();

    /** The token string of {@code id}. */
    String token(int id);

    /** The id of a token string, or -1 when it is not in the vocabulary. */
    int id(String token);

    SpecialTokens specialTokens();

    /**
     * {@code text} (and {@code pair}, which may be {@code null}) encoded with the scheme's special tokens
     * when {@code addSpecialTokens}; type ids 0 for the first segment and 1 for the pair.
     */
    Encoding encodeForModel(String text, String pair, boolean addSpecialTokens);

    /**
     * A padded batch: rows as {@link #encodeForModel}, truncated and padded as {@code options} say.
     *
     * @param pairs {@code null}, or one pair text per text (elements may be {@code null})
     */
    List<Encoding> encodeBatch(List<String> texts, List<String> pairs, BatchOptions options);

    /** Writes the files {@link TokenizerProvider#load} reads back into an identical tokenizer. */
    void save(Path directory) throws IOException;
}
