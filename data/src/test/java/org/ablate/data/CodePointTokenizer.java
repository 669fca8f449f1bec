package org.ablate.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.ablate.api.BatchOptions;
import org.ablate.api.Encoding;
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;

/** One id per ASCII character (its code); 0 pads and 1 ends a sequence. Enough to see exactly which ids land where. */
final class CodePointTokenizer implements Tokenizer {
    static final int PAD = 0, EOS = 1;

    @Override public int[] encode(String text) { return text.chars().toArray(); }
    @Override public String decode(int[] ids) { StringBuilder sb = new StringBuilder(); for (int i : ids) sb.append((char) i); return sb.toString(); }
    @Override public int vocabSize() { return 128; }
    @Override public String token(int id) { return String.valueOf((char) id); }
    @Override public int id(String token) { return token.length() == 1 ? token.charAt(0) : -1; }
    @Override public SpecialTokens specialTokens() { return new SpecialTokens(PAD, -1, EOS, -1, -1, -1, -1); }
    @Override public Encoding encodeForModel(String text, String pair, boolean addSpecialTokens) {
        int[] ids = encode(text);
        return new Encoding(ids, new String[ids.length], new int[ids.length], new int[ids.length]);
    }
    @Override public List<Encoding> encodeBatch(List<String> texts, List<String> pairs, BatchOptions options) {
        List<Encoding> out = new ArrayList<>();
        for (String t : texts) out.add(encodeForModel(t, null, false));
        return out;
    }
    @Override public void save(Path directory) {}
}
