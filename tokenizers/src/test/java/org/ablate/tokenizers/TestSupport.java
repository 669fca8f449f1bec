package org.ablate.tokenizers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.SplittableRandom;

import org.ablate.api.TokenizerProvider;

/** Locating reference data and providers, and a seeded synthetic corpus. */
final class TestSupport {
    private TestSupport() {}

    /** The conformance folder; fails (never skips) when it is missing. */
    static Path conformance() {
        String prop = System.getProperty("ablate.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        assertTrue(Files.isDirectory(dir), "conformance data folder missing: " + dir.toAbsolutePath()
                + " (set -Dablate.conformance.dir)");
        return dir;
    }

    /** The provider with {@code id}, found the way applications find it. */
    static TokenizerProvider provider(String id) {
        for (TokenizerProvider p : ServiceLoader.load(TokenizerProvider.class)) if (p.id().equals(id)) return p;
        throw new AssertionError("no TokenizerProvider \"" + id + "\" on the class path");
    }

    /** English-like text: Zipf-distributed words built from syllables, with punctuation, numbers and newlines. */
    static String corpus(long seed, int chars) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] syll = {"the", "an", "re", "in", "ter", "on", "ing", "ed", "st", "al", "pro", "con", "tion", "er",
                "ly", "ma", "ble", "ex", "de", "un", "ca", "pe", "ri", "o", "a", "ti", "ve", "com", "ment"};
        String[] words = new String[3000];
        for (int i = 0; i < words.length; i++) {
            StringBuilder w = new StringBuilder();
            int n = 1 + r.nextInt(4);
            for (int k = 0; k < n; k++) w.append(syll[r.nextInt(syll.length)]);
            if (r.nextInt(10) == 0) w.setCharAt(0, Character.toUpperCase(w.charAt(0)));
            words[i] = w.toString();
        }
        StringBuilder sb = new StringBuilder(chars + 64);
        while (sb.length() < chars) {
            double u = r.nextDouble();
            int idx = (int) Math.min(words.length - 1, Math.floor(Math.pow(words.length, u)) - 1);
            sb.append(words[idx]);
            int p = r.nextInt(100);
            if (p < 6) sb.append(", ");
            else if (p < 10) sb.append(". ");
            else if (p < 11) sb.append(" ").append(r.nextInt(2000)).append(' ');
            else if (p < 12) sb.append("'s ");
            else if (p < 13) sb.append(".\n");
            else sb.append(' ');
        }
        return sb.toString();
    }
}
