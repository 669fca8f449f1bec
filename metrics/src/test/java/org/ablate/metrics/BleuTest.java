package org.ablate.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** BLEU and exact match on cases worked out by hand and on NLTK's documented example. */
class BleuTest {
    private static List<String> t(String s) { return Bleu.whitespaceTokens(s); }

    @Test void clippedUnigramPrecisionIsPapinenisExample() {
        // Papineni et al. 2002, section 2.1: "the" x7 against two references, at most 2 "the" in one reference.
        Bleu.Result r = Bleu.corpus(List.of(t("the the the the the the the")),
                List.of(List.of(t("the cat is on the mat"), t("there is a cat on the mat"))), 1);
        assertArrayEquals(new long[] {2}, r.matches());
        assertArrayEquals(new long[] {7}, r.totals());
        assertEquals(1.0, r.brevityPenalty()); // c = 7 equals the closest reference length 7
        assertEquals(2.0 / 7, r.bleu(), 1e-15);
    }

    @Test void shortHypothesisPaysTheBrevityPenalty() {
        Bleu.Result r = Bleu.corpus(List.of(t("a b c d")), List.of(List.of(t("a b c d e"))), 4);
        assertArrayEquals(new long[] {4, 3, 2, 1}, r.matches());
        assertArrayEquals(new long[] {4, 3, 2, 1}, r.totals());
        assertEquals(Math.exp(1 - 5.0 / 4), r.brevityPenalty(), 1e-15);
        assertEquals(Math.exp(-0.25), r.bleu(), 1e-15);
    }

    @Test void closestReferenceLengthTakesTheShorterOnTies() {
        // c = 5; references of 6 and 4 tokens are equally close: r = 4, so no penalty (r = 6 would give exp(1 - 6/5)).
        Bleu.Result r = Bleu.corpus(List.of(t("a b c d e")), List.of(List.of(t("a b c d e f"), t("a b c d"))), 1);
        assertEquals(4, r.refLength());
        assertEquals(1.0, r.brevityPenalty());
        assertEquals(1.0, r.bleu());
    }

    @Test void statisticsAreSummedOverTheCorpusBeforeDividing() {
        // Sentence 1 matches 2 of 2 bigrams, sentence 2 matches 0 of 1: corpus p2 = 2/3, not the mean of 1 and 0.
        Bleu.Result r = Bleu.corpus(List.of(t("a b c"), t("x y")), List.of(List.of(t("a b c")), List.of(t("x z"))), 2);
        assertArrayEquals(new long[] {4, 2}, r.matches());
        assertArrayEquals(new long[] {5, 3}, r.totals());
        assertEquals(Math.sqrt(4.0 / 5 * 2.0 / 3), r.bleu(), 1e-15);
    }

    @Test void noMatchOfSomeOrderGivesZeroWithoutSmoothing() {
        Bleu.Result r = Bleu.corpus(List.of(t("a b c d")), List.of(List.of(t("a c b d"))), 4);
        assertEquals(0, r.matches()[1]);
        assertEquals(0.0, r.bleu());
        assertEquals(0.0, Bleu.corpus(List.of(List.of()), List.of(List.of(t("a"))), 4).bleu());
    }

    @Test void nltkDocumentationExample() {
        // nltk.translate.bleu_score.corpus_bleu's docstring example: 0.5920778868801042.
        var hyp1 = t("It is a guide to action which ensures that the military always obeys the commands of the party");
        var ref1a = t("It is a guide to action that ensures that the military will forever heed Party commands");
        var ref1b = t("It is the guiding principle which guarantees the military forces always being under the command of the Party");
        var ref1c = t("It is the practical guide for the army always to heed the directions of the party");
        var hyp2 = t("he read the book because he was interested in world history");
        var ref2a = t("he was interested in world history because he read the book");
        Bleu.Result r = Bleu.corpus(List.of(hyp1, hyp2), List.of(List.of(ref1a, ref1b, ref1c), List.of(ref2a)), 4);
        assertEquals(0.5920778868801042, r.bleu(), 1e-12);
    }

    @Test void mismatchedCorporaAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Bleu.corpusSingle(List.of(t("a")), List.of()));
        assertEquals("bleu: 1 hypotheses but 0 references", e.getMessage());
    }

    @Test void tokenization13aSplitsPunctuationAsSacreBleuDoes() {
        // Expected lists from sacreBLEU's Tokenizer13a regular expressions applied by hand.
        assertEquals(List.of("Y", "dijo", "Jehová", "á", "Moisés", ":", "Levántate", ",", "(", "dijo", ")", "\"", "ve", "\"", "."),
                Bleu.tokens13a("Y dijo Jehová á Moisés: Levántate, (dijo) \"ve\"."));
        assertEquals(List.of("It", "costs", "$", "3.50", ",", "or", "1,000", "-", "2,000", "items", ";", "e", ".", "g", ".", "x", "/", "y", "."),
                Bleu.tokens13a("It costs $3.50, or 1,000-2,000 items; e.g. x/y."));
        assertEquals(List.of("Mas", "¡ay", "de", "las", "preñadas", "!"), Bleu.tokens13a("Mas ¡ay de las preñadas!")); // ¡ is outside 13a's ASCII classes
        assertEquals(List.of("a", "&", "b"), Bleu.tokens13a("a &amp; b"));
    }

    @Test void exactMatchCountsWholeSequencesAgainstAnyReference() {
        assertEquals(0.5, ExactMatch.corpus(List.of(t("a b"), t("a c")), List.of(List.of(t("x"), t("a b")), List.of(t("a b c")))));
    }
}
