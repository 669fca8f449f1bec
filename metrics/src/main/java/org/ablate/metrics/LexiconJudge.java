package org.ablate.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A programmatic judge of text: the sum of the valences a sentiment lexicon gives its words, as the AFINN
 * lexicon is used (Nielsen 2011; AFINN-165, a JSON object of word → integer valence from −5 to +5). Words
 * are runs of letters, digits and apostrophes, lower-cased; a lexicon entry of several words (AFINN has
 * a few, such as "does not work") is matched before its single words, the longest first. Words the lexicon
 * does not hold count zero.
 */
public final class LexiconJudge {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

    private final Map<String, Integer> valences;
    private final int longestEntry;

    /**
     * The score of one text.
     *
     * @param score     sum of the valences of the matched entries
     * @param words     number of words in the text
     * @param matched   the matched entries, in order
     */
    public record Score(int score, int words, List<String> matched) {
        /** The score per word (AFINN's "comparative"); 0 for a text without words. */
        public double comparative() { return words == 0 ? 0 : (double) score / words; }
    }

    /** A judge over {@code valences} (entries lower-case; a multi-word entry's words separated by single spaces). */
    public LexiconJudge(Map<String, Integer> valences) {
        Map<String, Integer> m = new HashMap<>();
        int longest = 1;
        for (Map.Entry<String, Integer> e : valences.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
            if (key.isEmpty()) throw new IllegalArgumentException("lexicon: an empty entry");
            m.put(key, e.getValue());
            longest = Math.max(longest, key.split(" ").length);
        }
        this.valences = Collections.unmodifiableMap(m);
        this.longestEntry = longest;
    }

    /**
     * Reads a lexicon file: one JSON object of word → integer valence. A file that is not such an object is an
     * {@link IOException} naming the file and what is wrong.
     */
    public static LexiconJudge load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such lexicon file (expected a JSON object of word -> valence)");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + " (expected a JSON object of word -> valence, as AFINN-165's index.json)");
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": expected a JSON object of word -> valence, as AFINN-165's index.json, got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        Map<String, Integer> m = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isIntegralNumber()) {
                throw new IOException(file + ": entry \"" + e.getKey() + "\" is " + e.getValue() + ", expected an integer valence");
            }
            if (e.getKey().isBlank()) throw new IOException(file + ": an empty entry; expected words");
            m.put(e.getKey(), e.getValue().intValue());
        }
        if (m.isEmpty()) throw new IOException(file + ": the lexicon is empty");
        return new LexiconJudge(m);
    }

    /** Number of entries. */
    public int size() { return valences.size(); }

    /** The valence of one entry, or 0 when the lexicon does not hold it. */
    public int valence(String entry) { return valences.getOrDefault(entry.toLowerCase(Locale.ROOT), 0); }

    /** Scores {@code text}: the sum of the valences of its words and multi-word entries. */
    public Score score(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) words.add(m.group());
        int sum = 0;
        List<String> matched = new ArrayList<>();
        for (int i = 0; i < words.size(); ) {
            int taken = 0;
            for (int n = Math.min(longestEntry, words.size() - i); n >= 1 && taken == 0; n--) {
                String entry = String.join(" ", words.subList(i, i + n));
                Integer v = valences.get(entry);
                if (v != null) {
                    sum += v;
                    matched.add(entry);
                    taken = n;
                }
            }
            i += Math.max(taken, 1);
        }
        return new Score(sum, words.size(), List.copyOf(matched));
    }
}
