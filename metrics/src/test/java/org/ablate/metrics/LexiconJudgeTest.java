package org.ablate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lexicon judge on sentences scored by hand, on the shipped AFINN-165 file, and on bad lexicon files. */
class LexiconJudgeTest {
    private static final Path AFINN = Path.of("..", "examples", "data", "afinn-165.json");

    @Test void sumsTheValencesOfTheWordsAsScoredByHand() throws IOException {
        LexiconJudge judge = LexiconJudge.load(AFINN);
        assertEquals(3382, judge.size());
        // AFINN-165: god +1, good +3, evil -3, peace +2; "saw", "the", "light", ... are not in it.
        LexiconJudge.Score s = judge.score("And God saw the light, that it was GOOD: and God divided the light from the darkness");
        assertEquals(List.of("god", "good", "god", "darkness"), s.matched());
        assertEquals(1 + 3 + 1 + judge.valence("darkness"), s.score());
        assertEquals(-1, judge.valence("darkness"));
        assertEquals(4, s.score());
        assertEquals(17, s.words());
        assertEquals(4.0 / 17, s.comparative(), 1e-15);
        assertEquals(-3 + 2, judge.score("evil; peace").score());
        assertEquals(0, judge.score("").score());
        assertEquals(0.0, judge.score("...").comparative());
    }

    @Test void aMultiWordEntryIsMatchedBeforeItsWords() {
        LexiconJudge judge = new LexiconJudge(Map.of("does not work", -3, "work", 1, "not", -1, "can't stand", -3));
        LexiconJudge.Score s = judge.score("It does not work, but the work is done; I can't stand it.");
        assertEquals(List.of("does not work", "work", "can't stand"), s.matched());
        assertEquals(-3 + 1 - 3, s.score());
        assertEquals(-1 + 1, judge.score("not work").score()); // no three-word entry here
    }

    @Test void aFileThatIsNotJsonIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("lexicon.json"), "good: 3\nevil: -3\n");
        IOException e = assertThrows(IOException.class, () -> LexiconJudge.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ": not JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        Path list = Files.writeString(dir.resolve("list.json"), "[\"good\", \"evil\"]");
        e = assertThrows(IOException.class, () -> LexiconJudge.load(list));
        assertEquals(list + ": expected a JSON object of word -> valence, as AFINN-165's index.json, got array", e.getMessage());

        Path text = Files.writeString(dir.resolve("text.json"), "{\"good\": 3, \"evil\": \"bad\"}");
        e = assertThrows(IOException.class, () -> LexiconJudge.load(text));
        assertEquals(text + ": entry \"evil\" is \"bad\", expected an integer valence", e.getMessage());

        e = assertThrows(IOException.class, () -> LexiconJudge.load(dir.resolve("missing.json")));
        assertTrue(e.getMessage().startsWith(dir.resolve("missing.json") + ": no such lexicon file"), e.getMessage());
    }
}
