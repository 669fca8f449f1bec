package org.ablate.tokenizers;

import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.ablate.api.BatchOptions;
import org.ablate.api.Encoding;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches (padding side, truncation, masks, pairs) and the character tokenizer. */
class BatchAndCharTest {
    private static Tokenizer bert, gpt2;

    @BeforeAll
    static void load() throws Exception {
        bert = TestSupport.provider("wordpiece").load(BertConformanceTest.caseDir(), Params.empty());
        gpt2 = TestSupport.provider("byte-bpe").load(Gpt2ConformanceTest.caseDir(), Params.empty());
    }

    @Test
    void bertBatchPadsRightWithMasks() {
        List<Encoding> rows = bert.encodeBatch(List.of("Hello, world!", "end."), null, BatchOptions.DEFAULT);
        assertArrayEquals(new int[]{101, 7592, 1010, 2088, 999, 102}, rows.get(0).ids());
        assertArrayEquals(new int[]{101, 2203, 1012, 102, 0, 0}, rows.get(1).ids());
        assertArrayEquals(new int[]{1, 1, 1, 1, 0, 0}, rows.get(1).attentionMask());
        assertArrayEquals(new int[6], rows.get(1).typeIds());
        assertEquals("[PAD]", rows.get(1).tokens()[5]);
    }

    @Test
    void gpt2BatchPadsLeftWithEndOfText() {
        List<Encoding> rows = gpt2.encodeBatch(List.of("Hello, world!", "end."), null, new BatchOptions(true, 0, true, true));
        assertArrayEquals(new int[]{15496, 11, 995, 0}, rows.get(0).ids());
        assertArrayEquals(new int[]{50256, 50256, 437, 13}, rows.get(1).ids());
        assertArrayEquals(new int[]{0, 0, 1, 1}, rows.get(1).attentionMask());
    }

    @Test
    void pairsTruncateLongestFirst() {
        List<Encoding> rows = bert.encodeBatch(List.of("How old are you?"), List.of("I am six years old."),
                new BatchOptions(true, 10, false, false));
        Encoding e = rows.get(0);
        assertEquals(10, e.length());
        // 11 tokens of text for 7 places: b loses 6->5->4 while longer or equal, a loses 5->4->3 in turn: a=4, b=3.
        assertEquals(List.of("[CLS]", "how", "old", "are", "you", "[SEP]", "i", "am", "six", "[SEP]"), Arrays.asList(e.tokens()));
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, e.typeIds());
        Encoding single = bert.encodeBatch(List.of("The quick brown fox jumps over the lazy dog."), null,
                new BatchOptions(true, 5, true, false)).get(0);
        assertEquals(List.of("[CLS]", "the", "quick", "brown", "[SEP]"), Arrays.asList(single.tokens()));
        assertThrows(IllegalArgumentException.class,
                () -> bert.encodeBatch(List.of("a"), List.of("b"), new BatchOptions(true, 2, false, false)));
    }

    @Test
    void pairsWithoutSpecialTokens() {
        Encoding e = bert.encodeForModel("How old", "are you", false);
        assertEquals(List.of("how", "old", "are", "you"), Arrays.asList(e.tokens()));
        assertArrayEquals(new int[]{0, 0, 1, 1}, e.typeIds());
        Encoding g = gpt2.encodeForModel("Hello", " world", true);
        assertArrayEquals(new int[]{15496, 995}, g.ids());
        assertArrayEquals(new int[]{0, 1}, g.typeIds());
    }

    @Test
    void mismatchedPairListIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> bert.encodeBatch(List.of("a", "b"), List.of("c"), BatchOptions.DEFAULT));
        assertTrue(e.getMessage().contains("2 texts"), e.getMessage());
    }

    @Test
    void charTrainsEncodesAndReloads(@TempDir Path tmp) throws Exception {
        var p = TestSupport.provider("char");
        Tokenizer c = p.train("abracadabra 🎉\n", Params.empty());
        // <pad> <unk> <bos> <eos>, then by count (a 5, b 2, r 2, the rest 1), ties by code point: a b r \n ' ' c d 🎉.
        assertEquals(4 + 8, c.vocabSize());
        assertEquals("a", c.token(4));
        assertEquals("\n", c.token(7));
        assertEquals("b", c.token(5));
        assertEquals("c", c.token(9));
        int[] ids = c.encode("abra🎉");
        assertEquals(5, ids.length);
        assertEquals("abra🎉", c.decode(ids));
        assertEquals(1, c.encode("z")[0]);
        assertEquals(1, c.specialTokens().unk());
        Encoding e = c.encodeForModel("ab", "c", true);
        assertArrayEquals(new int[]{2, 4, 5, 3, 9, 3}, e.ids());
        assertArrayEquals(new int[]{0, 0, 0, 0, 1, 1}, e.typeIds());
        List<Encoding> rows = c.encodeBatch(List.of("abc", "a"), null, BatchOptions.DEFAULT);
        assertArrayEquals(new int[]{2, 4, 3, 0, 0}, rows.get(1).ids());
        assertEquals("a", c.decode(rows.get(1).ids(), true));
        c.save(tmp);
        Tokenizer again = p.load(tmp, Params.empty());
        assertArrayEquals(c.encode("abracadabra 🎉\n?"), again.encode("abracadabra 🎉\n?"));
        Tokenizer capped = p.train("aaabbc", ParamValidation.validate("char", p.parameters(), Map.of("vocab_size", 6)));
        assertEquals(6, capped.vocabSize());
        assertEquals(1, capped.encode("c")[0]);
    }

    @Test
    void charWithMaskTokenKeepsItOutOfText(@TempDir Path tmp) throws Exception {
        var p = TestSupport.provider("char");
        Tokenizer c = p.train("<a>", ParamValidation.validate("char", p.parameters(), Map.of("mask_token", true)));
        assertEquals(4, c.specialTokens().mask());
        assertEquals("<mask>", c.token(4));
        // '<' is an ordinary character, not the mask token that starts with it.
        int lt = c.encode("<")[0];
        assertTrue(lt > 4, "'<' has id " + lt);
        assertEquals("<", c.token(lt));
        assertEquals(-1, p.train("<a>", Params.empty()).specialTokens().mask());
        c.save(tmp);
        Tokenizer again = p.load(tmp, Params.empty());
        assertEquals(4, again.specialTokens().mask());
        assertArrayEquals(c.encode("<a><"), again.encode("<a><"));
        assertEquals("<a>", again.decode(again.encode("<a>")));
    }
}
