package org.ablate.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.ablate.api.BatchOptions;
import org.ablate.api.Encoding;
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;

/**
 * What every scheme shares: wrapping one text or a pair in the scheme's markers, truncation and padding.
 * A single text becomes {@code start a end}; a pair {@code start a end b end}, type ids 0 up to and
 * including the first {@code end}, 1 after it (BERT: {@code [CLS] a [SEP] b [SEP]}).
 */
abstract class BaseTokenizer implements Tokenizer {
    private final int[] start;
    private final int[] end;

    BaseTokenizer(int[] start, int[] end) {
        this.start = start.clone();
        this.end = end.clone();
    }

    @Override
    public Encoding encodeForModel(String text, String pair, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        return assemble(encode(text), pair == null ? null : encode(pair), addSpecialTokens);
    }

    @Override
    public List<Encoding> encodeBatch(List<String> texts, List<String> pairs, BatchOptions options) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(options, "options");
        if (pairs != null && pairs.size() != texts.size()) {
            throw new IllegalArgumentException("encodeBatch: " + texts.size() + " texts but " + pairs.size()
                    + " pair texts; give one pair text (or null) per text");
        }
        List<Encoding> rows = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String p = pairs == null ? null : pairs.get(i);
            int[] a = encode(Objects.requireNonNull(texts.get(i), "texts[" + i + "]"));
            int[] b = p == null ? null : encode(p);
            if (options.maxLength() > 0) {
                int specials = options.addSpecialTokens() ? start.length + end.length * (b == null ? 1 : 2) : 0;
                int budget = options.maxLength() - specials;
                if (budget < 0) {
                    throw new IllegalArgumentException("encodeBatch: max_length " + options.maxLength()
                            + " leaves no room for the " + specials + " special tokens of row " + i);
                }
                if (b == null) {
                    if (a.length > budget) a = Arrays.copyOf(a, budget);
                } else {
                    // Longest first: drop the last token of the longer text (the pair on ties) until it fits.
                    int la = a.length, lb = b.length;
                    while (la + lb > budget) {
                        if (la > lb) la--; else lb--;
                    }
                    a = Arrays.copyOf(a, la);
                    b = Arrays.copyOf(b, lb);
                }
            }
            rows.add(assemble(a, b, options.addSpecialTokens()));
        }
        if (options.padToLongest()) {
            int longest = 0;
            for (Encoding e : rows) longest = Math.max(longest, e.length());
            int pad = specialTokens().pad();
            if (pad < 0) throw new IllegalStateException("this tokenizer has no PAD token; cannot pad a batch");
            String padToken = token(pad);
            for (int i = 0; i < rows.size(); i++) rows.set(i, padTo(rows.get(i), longest, pad, padToken, options.padLeft()));
        }
        return List.copyOf(rows);
    }

    private static Encoding padTo(Encoding e, int length, int pad, String padToken, boolean left) {
        int n = e.length(), extra = length - n;
        if (extra == 0) return e;
        int[] ids = new int[length], types = new int[length], mask = new int[length];
        String[] tokens = new String[length];
        int off = left ? extra : 0, padOff = left ? 0 : n;
        System.arraycopy(e.ids(), 0, ids, off, n);
        System.arraycopy(e.typeIds(), 0, types, off, n);
        System.arraycopy(e.attentionMask(), 0, mask, off, n);
        System.arraycopy(e.tokens(), 0, tokens, off, n);
        Arrays.fill(ids, padOff, padOff + extra, pad);
        Arrays.fill(tokens, padOff, padOff + extra, padToken);
        return new Encoding(ids, tokens, types, mask);
    }

    private Encoding assemble(int[] a, int[] b, boolean addSpecial) {
        int[] s = addSpecial ? start : new int[0], t = addSpecial ? end : new int[0];
        int firstLen = s.length + a.length + t.length;
        int total = firstLen + (b == null ? 0 : b.length + t.length);
        int[] ids = new int[total], types = new int[total], mask = new int[total];
        int k = 0;
        for (int id : s) ids[k++] = id;
        for (int id : a) ids[k++] = id;
        for (int id : t) ids[k++] = id;
        if (b != null) {
            for (int id : b) ids[k++] = id;
            for (int id : t) ids[k++] = id;
            Arrays.fill(types, firstLen, total, 1);
        }
        Arrays.fill(mask, 1);
        String[] tokens = new String[total];
        for (int i = 0; i < total; i++) tokens[i] = token(ids[i]);
        return new Encoding(ids, tokens, types, mask);
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize() + ")");
        }
        return tokenUnchecked(id);
    }

    abstract String tokenUnchecked(int id);

    static SpecialTokens specials(int pad, int bos, int eos, int unk, int mask, int cls, int sep) {
        return new SpecialTokens(pad, bos, eos, unk, mask, cls, sep);
    }
}
