package org.ablate.tokenizers;

import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WordPiece switches on a small vocab.txt: case, accents, CJK, control characters, word length. */
class WordPieceTest {
    @TempDir Path tmp;

    private Tokenizer load(Map<String, Object> params) throws Exception {
        Path f = tmp.resolve("vocab.txt");
        Files.writeString(f, String.join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s",
                "Hello", "un", "##aff", "##able", ",", "!", "中", "é") + "\n");
        TokenizerProvider p = TestSupport.provider("wordpiece");
        return p.load(f, ParamValidation.validate("wordpiece", p.parameters(), params));
    }

    private static List<String> tokens(Tokenizer t, String text) {
        List<String> out = new ArrayList<>();
        for (int id : t.encode(text)) out.add(t.token(id));
        return out;
    }

    @Test
    void uncasedLowersStripsAccentsAndSplits() throws Exception {
        Tokenizer t = load(Map.of());
        assertEquals(List.of("hello", ",", "world", "##s", "!"), tokens(t, "Hello, Worlds!"));
        assertEquals(List.of("hello"), tokens(t, "HÉLLO"));
        assertEquals(List.of("hello"), tokens(t, "hel\u0000lo\u200b"));
        assertEquals(List.of("中", "中", "hello"), tokens(t, "中中hello"));
        assertEquals(List.of("[MASK]", "hello", "[UNK]"), tokens(t, "[MASK]hello unaffablex"));
        assertEquals(List.of("un", "##aff", "##able"), tokens(t, "unaffable"));
        assertEquals(List.of(), tokens(t, " \t\n "));
    }

    @Test
    void casedKeepsCaseAndAccents() throws Exception {
        Tokenizer t = load(Map.of("lowercase", false));
        assertEquals(List.of("Hello", "hello", "[UNK]"), tokens(t, "Hello hello HELLO"));
        assertEquals(List.of("é"), tokens(t, "é"));
    }

    @Test
    void longWordsBecomeUnknown() throws Exception {
        Tokenizer t = load(Map.of("max_input_chars_per_word", 4));
        assertEquals(List.of("[UNK]", "un"), tokens(t, "hello un"));
    }
}
