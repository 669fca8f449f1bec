package org.ablate.tokenizers;

import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning byte-level BPE merges from a corpus, saving and reloading them. */
class BpeTrainingTest {
    private static String corpus;
    private static Tokenizer trained;
    private static TokenizerProvider provider;

    @BeforeAll
    static void train() {
        provider = TestSupport.provider("byte-bpe");
        corpus = TestSupport.corpus(42, 3_000_000);
        trained = provider.train(corpus, ParamValidation.validate("byte-bpe", provider.parameters(), Map.of("vocab_size", 4096)));
    }

    @Test
    void reachesTheAskedVocabularySize() {
        assertEquals(4096, trained.vocabSize());
        assertEquals("<|endoftext|>", trained.token(4095));
        assertEquals(4095, trained.specialTokens().eos());
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < trained.vocabSize(); i++) assertTrue(tokens.add(trained.token(i)), "duplicate token " + trained.token(i));
    }

    @Test
    void compressesItsCorpusAndRoundTrips() {
        String sample = corpus.substring(0, 200_000);
        int[] ids = trained.encode(sample);
        assertEquals(sample, trained.decode(ids));
        // Frequent syllable words should mostly become single tokens: far fewer ids than bytes.
        assertTrue(ids.length * 3 < sample.length(), ids.length + " ids for " + sample.length() + " chars");
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < 500; t++) {
            String s = ByteBpeTest.randomText(r, 40);
            assertEquals(s, trained.decode(trained.encode(s)));
        }
    }

    @Test
    void mostFrequentPairIsMergedFirst() {
        // In "aaab aaab aab", ("a","a") is the most frequent pair (5), so it is the first merge: token 256 = "aa".
        Tokenizer small = provider.train("aaab aaab aab", ParamValidation.validate("byte-bpe", provider.parameters(),
                Map.of("vocab_size", 258, "min_frequency", 1)));
        assertEquals("aa", small.token(256));
        assertEquals(258, small.vocabSize());
    }

    @Test
    void saveAndLoadGiveIdenticalIds(@TempDir Path tmp) throws Exception {
        trained.save(tmp);
        Tokenizer again = provider.load(tmp, Params.empty());
        assertEquals(trained.vocabSize(), again.vocabSize());
        String sample = corpus.substring(500_000, 600_000);
        assertArrayEquals(trained.encode(sample), again.encode(sample));
        SplittableRandom r = new SplittableRandom(9);
        for (int t = 0; t < 300; t++) {
            String s = ByteBpeTest.randomText(r, 50);
            assertArrayEquals(trained.encode(s), again.encode(s));
        }
        for (int id = 0; id < trained.vocabSize(); id++) assertEquals(trained.token(id), again.token(id));
    }

    @Test
    void rejectsTooSmallVocabulary() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> provider.train("abc", ParamValidation.validate("tokenizer \"byte-bpe\"", provider.parameters(), Map.of("vocab_size", 100))));
        assertTrue(e.getMessage().contains("vocab_size"), e.getMessage());
    }
}
