package org.ablate.tokenizers;

import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged vocabulary, merges and tokenizer.json files: errors name the file and line or field. */
class MalformedFilesTest {
    @TempDir Path tmp;

    /** A byte-level vocabulary of the 256 byte tokens plus "ab", as encoder.json text. */
    private static String encoderJson(String extra) {
        char[] bc = ByteLevelBpe.byteToChar();
        StringBuilder sb = new StringBuilder("{");
        for (int b = 0; b < 256; b++) sb.append(Json.quote(String.valueOf(bc[b]))).append(": ").append(b).append(",\n");
        sb.append("\"ab\": 256").append(extra).append("}");
        return sb.toString();
    }

    private IOException loadFails(String providerId, Path path) {
        TokenizerProvider p = TestSupport.provider(providerId);
        return assertThrows(IOException.class, () -> p.load(path, Params.empty()));
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void wellFormedSmallFilesLoad() throws Exception {
        write("encoder.json", encoderJson(""));
        write("vocab.bpe", "#version: 0.2\na b\n");
        Tokenizer t = TestSupport.provider("byte-bpe").load(tmp, Params.empty());
        assertEquals(257, t.vocabSize());
        assertEquals(1, t.encode("ab").length);
        assertEquals(-1, t.specialTokens().eos());
    }

    @Test
    void brokenEncoderJsonNamesFileAndLine() throws Exception {
        write("encoder.json", encoderJson("").replace("\"ab\": 256", "\"ab\" 256"));
        write("vocab.bpe", "#version: 0.2\na b\n");
        String m = loadFails("byte-bpe", tmp).getMessage();
        assertTrue(m.contains("encoder.json") && m.contains("line 257"), m);
    }

    @Test
    void encoderIdsMustBeDense() throws Exception {
        write("encoder.json", encoderJson("").replace("\"ab\": 256", "\"ab\": 300"));
        write("vocab.bpe", "#version: 0.2\n");
        String m = loadFails("byte-bpe", tmp).getMessage();
        assertTrue(m.contains("encoder.json") && m.contains("\"ab\"") && m.contains("300"), m);
    }

    @Test
    void badMergeLineNamesFileAndLine() throws Exception {
        write("encoder.json", encoderJson(""));
        write("vocab.bpe", "#version: 0.2\na b\nabc\n");
        String m = loadFails("byte-bpe", tmp).getMessage();
        assertTrue(m.contains("vocab.bpe") && m.contains("line 3") && m.contains("abc"), m);
    }

    @Test
    void mergeOfUnknownTokenNamesTheLine() throws Exception {
        write("encoder.json", encoderJson(""));
        write("vocab.bpe", "#version: 0.2\na b\nab xyz\n");
        String m = loadFails("byte-bpe", tmp).getMessage();
        assertTrue(m.contains("vocab.bpe: line 3") && m.contains("xyz"), m);
    }

    @Test
    void missingByteTokenIsNamed() throws Exception {
        write("encoder.json", "{\"a\": 0}");
        write("vocab.bpe", "#version: 0.2\n");
        String m = loadFails("byte-bpe", tmp).getMessage();
        assertTrue(m.contains("encoder.json") && m.contains("byte"), m);
    }

    @Test
    void tokenizerJsonErrorsNameTheField() throws Exception {
        Path f = write("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": [1, 2], \"merges\": []}}");
        String m = loadFails("byte-bpe", f).getMessage();
        assertTrue(m.contains("tokenizer.json") && m.contains("\"vocab\""), m);
        f = write("tokenizer.json", "{\"pre_tokenizer\": {\"type\": \"Metaspace\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}");
        m = loadFails("byte-bpe", f).getMessage();
        assertTrue(m.contains("pre_tokenizer.type") && m.contains("Metaspace"), m);
        f = write("tokenizer.json", "{\"model\": {\"type\": \"Unigram\", \"vocab\": {}}}");
        m = loadFails("byte-bpe", f).getMessage();
        assertTrue(m.contains("model.type") && m.contains("Unigram"), m);
        f = write("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[CLS]\": 0, \"[SEP]\": \"one\"}}}");
        m = loadFails("wordpiece", f).getMessage();
        assertTrue(m.contains("tokenizer.json") && m.contains("model.vocab.[SEP]"), m);
        f = write("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[CLS]\": 0, \"[SEP]\": 1, \"[UNK]\": 2}},"
                + " \"normalizer\": {\"type\": \"BertNormalizer\", \"lowercase\": \"yes\"}}");
        m = loadFails("wordpiece", f).getMessage();
        assertTrue(m.contains("field \"normalizer.lowercase\" must be true, false or null, got the string \"yes\""), m);
        f = write("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\",\n \"vocab\": {\"[CLS]\": 0,,}}}");
        m = loadFails("wordpiece", f).getMessage();
        assertTrue(m.contains("tokenizer.json: line 2"), m);
    }

    @Test
    void vocabTxtErrorsNameTheLine() throws Exception {
        Path f = write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n[UNK]\n");
        String m = loadFails("wordpiece", f).getMessage();
        assertTrue(m.contains("vocab.txt: line 6") && m.contains("line 2"), m);
        f = write("vocab.txt", "[PAD]\n[UNK]\n[SEP]\nhello\n");
        m = loadFails("wordpiece", f).getMessage();
        assertTrue(m.contains("vocab.txt") && m.contains("[CLS]"), m);
    }

    @Test
    void invalidUtf8BecomesReplacementCharacter() throws Exception {
        Path f = tmp.resolve("vocab.txt");
        byte[] head = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nab".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 3];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xC3;      // a lead byte with no continuation
        bytes[head.length + 1] = (byte) 'c';
        bytes[head.length + 2] = (byte) '\n';
        Files.write(f, bytes);
        Tokenizer t = TestSupport.provider("wordpiece").load(f, ParamValidation.validate("wordpiece",
                TestSupport.provider("wordpiece").parameters(), java.util.Map.of("lowercase", false)));
        assertEquals("ab\uFFFDc", t.token(4));
    }

    @Test
    void charVocabularyErrorsNameTheElement() throws Exception {
        Path f = write("char-vocab.json", "[\"<pad>\", \"<unk>\", \"<bos>\", \"<eos>\", \"a\", \"bc\"]");
        String m = loadFails("char", f).getMessage();
        assertTrue(m.contains("char-vocab.json") && m.contains("[5]"), m);
    }

    @Test
    void missingFilesAreNamed() {
        String m = loadFails("byte-bpe", tmp).getMessage();
        assertTrue(m.contains(tmp.toString()) && m.contains("encoder.json"), m);
        m = loadFails("wordpiece", tmp.resolve("nope.txt")).getMessage();
        assertTrue(m.contains("nope.txt"), m);
    }
}
