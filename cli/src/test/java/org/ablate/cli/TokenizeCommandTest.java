package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    static Path conformance() {
        String prop = System.getProperty("ablate.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        assertTrue(Files.isDirectory(dir), "conformance data folder missing: " + dir.toAbsolutePath());
        return dir;
    }

    @Test
    void printsGpt2TokensAndIds() {
        var r = MainTest.run("tokenize", "--tokenizer", "byte-bpe", "--path",
                conformance().resolve("tokenizer_gpt2").toString(), "--text", "Hello, world!");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ids: 15496 11 995 0"), r.out());
        assertTrue(r.out().contains("\"Ġworld\""), r.out());
    }

    @Test
    void printsBertPairWithSpecialTokens() {
        var r = MainTest.run("tokenize", "--tokenizer", "wordpiece", "--path",
                conformance().resolve("tokenizer_bert").toString(), "--special",
                "--text", "How old are you?", "--pair", "I am six years old.");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ids: 101 2129 2214 2024 2017 1029 102 1045 2572 2416 2086 2214 1012 102"), r.out());
        assertTrue(r.out().contains("\"[SEP]\"  type 1"), r.out());
    }

    @Test
    void trainsSavesAndReloads(@TempDir Path tmp) throws Exception {
        Path corpus = tmp.resolve("corpus.txt");
        Files.writeString(corpus, "low lower lowest newer newest wider widest ".repeat(200));
        var r = MainTest.run("tokenize", "--tokenizer", "byte-bpe", "--train", corpus.toString(),
                "--param", "vocab_size=300", "--save", tmp.resolve("tok").toString(), "--text", "lowest newest");
        assertEquals(0, r.code(), r.err());
        var again = MainTest.run("tokenize", "--tokenizer", "byte-bpe", "--path", tmp.resolve("tok").toString(),
                "--text", "lowest newest");
        assertEquals(0, again.code(), again.err());
        assertEquals(r.out(), again.out());
        assertTrue(r.out().contains("\"Ġnewest\""), r.out());
    }

    @Test
    void badPathIsOneClearLine() {
        var r = MainTest.run("tokenize", "--tokenizer", "wordpiece", "--path", "/nonexistent/vocab", "--text", "x");
        assertNotEquals(0, r.code());
        assertTrue(r.err().strip().startsWith("ablate tokenize: /nonexistent/vocab"), r.err());
    }
}
