package org.ablate.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the readers refuse rather than tokenize differently from Hugging Face: empty merges files, parts of
 * a tokenizer.json they do not implement, deep nesting and repeated keys. Each error is one line naming
 * the file, the field and what was expected.
 */
class StrictFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    // ---- small valid files ----

    /** A GPT-2-shaped BPE tokenizer.json: the 256 byte tokens, "ab", "abc", <|endoftext|>; merges "a b", "ab c". */
    @SuppressWarnings("unchecked")
    static Map<String, Object> bpe() {
        char[] bc = ByteLevelBpe.byteToChar();
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(bc[b]), b);
        vocab.put("ab", 256);
        vocab.put("abc", 257);
        vocab.put("<|endoftext|>", 258);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", new ArrayList<>(List.of("a b", "ab c")));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", new ArrayList<>(List.of(token(258, "<|endoftext|>", true))));
        root.put("normalizer", null);
        root.put("pre_tokenizer", ordered("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true,
                "use_regex", true));
        root.put("post_processor", ordered("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", false,
                "use_regex", true));
        root.put("decoder", ordered("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", true,
                "use_regex", true));
        root.put("model", model);
        return root;
    }

    static Map<String, Object> token(int id, String content, boolean normalized) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", normalized);
        t.put("special", true);
        return t;
    }

    /** A BERT-shaped WordPiece tokenizer.json, laid out as bert-base-uncased's. */
    static Map<String, Object> wordPiece() {
        String[] tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", ",", "!", "un", "##aff", "##able"};
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokens.length; i++) vocab.put(tokens[i], i);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        model.put("vocab", vocab);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (int i = 0; i < 5; i++) added.add(token(i, tokens[i], false));
        root.put("added_tokens", added);
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("type", "BertNormalizer");
        norm.put("clean_text", true);
        norm.put("handle_chinese_chars", true);
        norm.put("strip_accents", null);
        norm.put("lowercase", true);
        root.put("normalizer", norm);
        root.put("pre_tokenizer", ordered("type", "BertPreTokenizer"));
        root.put("post_processor", template(2, 3));
        root.put("decoder", ordered("type", "WordPiece", "prefix", "##", "cleanup", true));
        root.put("model", model);
        return root;
    }

    static Map<String, Object> template(int cls, int sep) {
        Map<String, Object> c = ordered("SpecialToken", ordered("id", "[CLS]", "type_id", 0));
        Map<String, Object> a = ordered("Sequence", ordered("id", "A", "type_id", 0));
        Map<String, Object> s0 = ordered("SpecialToken", ordered("id", "[SEP]", "type_id", 0));
        Map<String, Object> b = ordered("Sequence", ordered("id", "B", "type_id", 1));
        Map<String, Object> s1 = ordered("SpecialToken", ordered("id", "[SEP]", "type_id", 1));
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("type", "TemplateProcessing");
        t.put("single", new ArrayList<>(List.of(c, a, s0)));
        t.put("pair", new ArrayList<>(List.of(c, a, s0, b, s1)));
        t.put("special_tokens", ordered("[CLS]", ordered("id", "[CLS]", "ids", List.of(cls), "tokens", List.of("[CLS]")),
                "[SEP]", ordered("id", "[SEP]", "ids", List.of(sep), "tokens", List.of("[SEP]"))));
        return t;
    }

    /** A map with the keys in the order given (Map.of's order changes from run to run, and the fuzz tests mutate the text). */
    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    /** A deep copy (the builders' nested maps are shared otherwise). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> copy(Map<String, Object> m) {
        return JSON.convertValue(m, LinkedHashMap.class);
    }

    private Path write(String name, Map<String, Object> root) throws IOException {
        Path f = tmp.resolve(name);
        JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), root);
        return f;
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private static String refused(String provider, Path file) {
        IOException e = assertThrows(IOException.class, () -> TestSupport.provider(provider).load(file, Params.empty()));
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), "the message must name the file: " + m);
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        return m;
    }

    /** The valid file with one change is refused with a message holding each of {@code expected}. */
    private void refusedWith(String provider, Map<String, Object> base, Consumer<Map<String, Object>> change, String... expected)
            throws IOException {
        Map<String, Object> root = copy(base);
        change.accept(root);
        String m = refused(provider, write("tokenizer.json", root));
        for (String x : expected) assertTrue(m.contains(x), "expected \"" + x + "\" in: " + m);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> root, String field) { return (Map<String, Object>) root.get(field); }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> root, String field) { return (List<Object>) root.get(field); }

    // ---- the valid files load and tokenize as Hugging Face does ----

    @Test void theValidFilesLoad() throws Exception {
        Tokenizer bpe = TestSupport.provider("byte-bpe").load(write("bpe.json", bpe()), Params.empty());
        assertArrayEquals(new int[] {257, bpeId('x')}, bpe.encode("abcx"));
        assertEquals(258, bpe.specialTokens().eos());
        Tokenizer wp = TestSupport.provider("wordpiece").load(write("wp.json", wordPiece()), Params.empty());
        assertArrayEquals(new int[] {5, 8, 6, 7, 9, 10, 11, 12}, wp.encode("Hello, worlds! unaffable"));
        assertArrayEquals(new int[] {2, 5, 3, 6, 3}, wp.encodeForModel("hello", "world", true).ids());
    }

    private static int bpeId(char c) {
        char[] bc = ByteLevelBpe.byteToChar();
        for (int b = 0; b < 256; b++) if (bc[b] == c) return b;
        throw new AssertionError();
    }

    // ---- merges files ----

    @Test void anEmptyMergesFileIsRefused() throws Exception {
        Files.writeString(tmp.resolve("encoder.json"), JSON.writeValueAsString(at(bpe(), "model").get("vocab")));
        for (String empty : new String[] {"", "\n", "  \n\n"}) {
            Path merges = write("vocab.bpe", empty);
            IOException e = assertThrows(IOException.class, () -> TestSupport.provider("byte-bpe").load(tmp, Params.empty()));
            assertEquals(merges + ": the merges file is empty; expected a \"#version: 0.2\" line and then one merge per line"
                    + " (\"left right\")", e.getMessage());
        }
        Files.delete(tmp.resolve("vocab.bpe"));
        Files.move(tmp.resolve("encoder.json"), tmp.resolve("vocab.json"));
        Path merges = write("merges.txt", "");
        IOException e = assertThrows(IOException.class, () -> TestSupport.provider("byte-bpe").load(tmp, Params.empty()));
        assertTrue(e.getMessage().startsWith(merges + ": the merges file is empty"), e.getMessage());
        // The version line alone is a tokenizer with no merges, stated on purpose: it loads.
        write("merges.txt", "#version: 0.2\n");
        Tokenizer t = TestSupport.provider("byte-bpe").load(tmp, Params.empty());
        assertEquals(3, t.encode("abc").length);
    }

    // ---- byte-bpe: the parts GPT-2's file has are implemented, others refused ----

    @SuppressWarnings("unchecked")
    @Test void byteBpeRefusesPartsItDoesNotImplement() throws Exception {
        Map<String, Object> b = bpe();
        refusedWith("byte-bpe", b, r -> r.put("normalizer", Map.of("type", "NFC")),
                "field \"normalizer.type\" is \"NFC\"; byte-bpe supports no normalizer");
        refusedWith("byte-bpe", b, r -> r.put("pre_tokenizer", Map.of("type", "Metaspace", "replacement", "\u2581")),
                "field \"pre_tokenizer.type\" is \"Metaspace\"; byte-bpe supports ByteLevel (GPT-2's) only");
        refusedWith("byte-bpe", b, r -> r.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of())),
                "field \"pre_tokenizer.type\" is \"Sequence\"");
        refusedWith("byte-bpe", b, r -> r.remove("pre_tokenizer"), "field \"pre_tokenizer\" is missing or null");
        refusedWith("byte-bpe", b, r -> r.put("post_processor", template(0, 1)),
                "field \"post_processor.type\" is \"TemplateProcessing\"; byte-bpe supports ByteLevel");
        refusedWith("byte-bpe", b, r -> r.put("post_processor", Map.of("type", "RobertaProcessing")),
                "field \"post_processor.type\" is \"RobertaProcessing\"");
        refusedWith("byte-bpe", b, r -> r.put("post_processor", Map.of("kind", "ByteLevel")),
                "field \"post_processor.type\" must be a string, got nothing");
        refusedWith("byte-bpe", b, r -> r.put("decoder", Map.of("type", "Metaspace")),
                "field \"decoder.type\" is \"Metaspace\"; byte-bpe supports ByteLevel or none");
        refusedWith("byte-bpe", b, r -> at(r, "model").put("dropout", 0.1), "field \"model.dropout\" is 0.1; byte-bpe supports only null or 0");
        refusedWith("byte-bpe", b, r -> at(r, "model").put("byte_fallback", true), "field \"model.byte_fallback\" is true");
        refusedWith("byte-bpe", b, r -> at(r, "model").put("ignore_merges", true), "field \"model.ignore_merges\" is true");
        refusedWith("byte-bpe", b, r -> at(r, "model").put("continuing_subword_prefix", "##"),
                "field \"model.continuing_subword_prefix\" is \"##\"");
        refusedWith("byte-bpe", b, r -> at(r, "model").put("end_of_word_suffix", "</w>"), "field \"model.end_of_word_suffix\" is \"</w>\"");
        refusedWith("byte-bpe", b, r -> ((Map<String, Object>) list(r, "added_tokens").get(0)).put("lstrip", true),
                "field \"added_tokens[0].lstrip\" is true; byte-bpe supports only false");
        refusedWith("byte-bpe", b, r -> ((Map<String, Object>) list(r, "added_tokens").get(0)).put("single_word", true),
                "field \"added_tokens[0].single_word\" is true");
        refusedWith("byte-bpe", b, r -> r.put("pre_tokenizer", Map.of("type", "ByteLevel", "add_prefix_space", true)),
                "field \"pre_tokenizer.add_prefix_space\" is true");
        // dropout 0 and no post-processor or decoder at all are what GPT-2 does
        Map<String, Object> plain = copy(b);
        at(plain, "model").put("dropout", 0.0);
        plain.remove("post_processor");
        plain.put("decoder", null);
        assertEquals(259, TestSupport.provider("byte-bpe").load(write("plain.json", plain), Params.empty()).vocabSize());
    }

    // ---- wordpiece: BERT's parts are implemented, others refused ----

    @SuppressWarnings("unchecked")
    @Test void wordPieceRefusesPartsItDoesNotImplement() throws Exception {
        Map<String, Object> w = wordPiece();
        refusedWith("wordpiece", w, r -> r.put("normalizer", Map.of("type", "Lowercase")),
                "field \"normalizer.type\" is \"Lowercase\"; wordpiece supports BertNormalizer or none");
        refusedWith("wordpiece", w, r -> r.put("pre_tokenizer", Map.of("type", "Whitespace")),
                "field \"pre_tokenizer.type\" is \"Whitespace\"; wordpiece supports BertPreTokenizer only");
        refusedWith("wordpiece", w, r -> r.put("pre_tokenizer", null), "field \"pre_tokenizer\" is missing or null");
        refusedWith("wordpiece", w, r -> r.put("post_processor", Map.of("type", "RobertaProcessing")),
                "field \"post_processor.type\" is \"RobertaProcessing\"; wordpiece supports TemplateProcessing or BertProcessing");
        refusedWith("wordpiece", w, r -> list(at(r, "post_processor"), "single").remove(2),
                "field \"post_processor.single\" is \"[CLS]:0 $A:0\"; wordpiece supports only BERT's template \"[CLS]:0 $A:0 [SEP]:0\"");
        refusedWith("wordpiece", w, r -> list(at(r, "post_processor"), "pair").set(4, Map.of("SpecialToken", Map.of("id", "[SEP]", "type_id", 0))),
                "field \"post_processor.pair\" is \"[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:0\"");
        refusedWith("wordpiece", w, r -> r.put("post_processor", template(2, 4)),
                "field \"post_processor.special_tokens.[SEP].ids\" is [4]; expected [3]");
        refusedWith("wordpiece", w, r -> r.put("post_processor", Map.of("type", "BertProcessing", "cls", List.of("[CLS]", 2),
                "sep", List.of("[SEP]", 9))), "field \"post_processor.sep\" is an array; expected [\"[SEP]\", 3]");
        refusedWith("wordpiece", w, r -> r.put("decoder", Map.of("type", "Metaspace")),
                "field \"decoder.type\" is \"Metaspace\"; wordpiece supports WordPiece or none");
        refusedWith("wordpiece", w, r -> at(r, "decoder").put("cleanup", false), "field \"decoder.cleanup\" is false");
        refusedWith("wordpiece", w, r -> at(r, "decoder").put("prefix", "@@"), "field \"decoder.prefix\" is \"@@\"");
        refusedWith("wordpiece", w, r -> ((Map<String, Object>) list(r, "added_tokens").get(4)).put("normalized", true),
                "field \"added_tokens[4].normalized\" is true; wordpiece supports only false when there is a normalizer");
        refusedWith("wordpiece", w, r -> ((Map<String, Object>) list(r, "added_tokens").get(1)).put("rstrip", true),
                "field \"added_tokens[1].rstrip\" is true");
        // BertProcessing with the right ids, and no post-processor or decoder, load
        Map<String, Object> bert = copy(w);
        bert.put("post_processor", Map.of("type", "BertProcessing", "cls", List.of("[CLS]", 2), "sep", List.of("[SEP]", 3)));
        bert.remove("decoder");
        Tokenizer t = TestSupport.provider("wordpiece").load(write("bert.json", bert), Params.empty());
        assertArrayEquals(new int[] {2, 5, 3}, t.encodeForModel("hello", null, true).ids());
    }

    @Test void onlyTheListedAddedTokensAreMatchedInText() throws Exception {
        Map<String, Object> w = wordPiece();
        Tokenizer all = TestSupport.provider("wordpiece").load(write("all.json", w), Params.empty());
        assertArrayEquals(new int[] {5, 3, 6}, all.encode("hello [SEP] world"));
        list(w, "added_tokens").remove(3);  // [SEP] no longer an added token: Hugging Face splits it as text
        Tokenizer without = TestSupport.provider("wordpiece").load(write("without.json", w), Params.empty());
        assertArrayEquals(new int[] {5, 1, 1, 1, 6}, without.encode("hello [SEP] world"));
        assertEquals(3, without.specialTokens().sep());
    }

    @Test void savedWordPieceCarriesBertsPostProcessorAndDecoder() throws Exception {
        Path conformance = BertConformanceTest.caseDir().resolve("tokenizer.json");
        Tokenizer t = TestSupport.provider("wordpiece").load(conformance, Params.empty());
        Path out = tmp.resolve("saved");
        t.save(out);
        JsonNode original = JSON.readTree(conformance.toFile()), saved = JSON.readTree(out.resolve("tokenizer.json").toFile());
        for (String part : new String[] {"normalizer", "pre_tokenizer", "post_processor", "decoder"}) {
            assertEquals(original.get(part), saved.get(part), part + " as Hugging Face's own file has it");
        }
        Tokenizer again = TestSupport.provider("wordpiece").load(out.resolve("tokenizer.json"), Params.empty());
        assertArrayEquals(t.encodeForModel("Hello, world!", "again", true).ids(), again.encodeForModel("Hello, world!", "again", true).ids());
    }

    // ---- the JSON reader ----

    @Test void deepNestingIsAOneLineErrorNotAStackOverflow() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        for (String provider : new String[] {"byte-bpe", "wordpiece", "char"}) {
            Path f = write("deep-" + provider + ".json", deep);
            String m = refused(provider, f);
            assertTrue(m.contains("line 1, column 65: objects and arrays nested deeper than 64 levels"), m);
        }
        Map<String, Object> b = bpe();
        Object nested = "x";
        for (int i = 0; i < 70; i++) nested = Map.of("k", nested);
        b.put("extra", nested);
        String m = refused("byte-bpe", write("nested.json", b));
        assertTrue(m.contains("nested deeper than 64 levels"), m);
        // 64 levels are fine
        String ok = "[".repeat(64) + "]".repeat(64);
        assertTrue(Json.parse(ok, "ok.json") instanceof List);
        IOException e = assertThrows(IOException.class, () -> Json.parse("[" + ok + "]", "deep.json"));
        assertTrue(e.getMessage().startsWith("deep.json: line 1, column 65: "), e.getMessage());
    }

    @Test void aKeyGivenTwiceIsRefused() throws Exception {
        String json = JSON.writeValueAsString(bpe()).replace("\"ab\":256,", "\"ab\":256,\n\"ab\":257,");
        Path f = write("dup.json", json);
        String m = refused("byte-bpe", f);
        assertTrue(m.contains("line 2, column 1: duplicate key \"ab\" in one object"), m);
    }

    @Test void controlCharactersInNamesStayOnOneLine() throws Exception {
        Map<String, Object> b = bpe();
        b.put("decoder", Map.of("type", "Byte\nLevel\r"));
        String m = refused("byte-bpe", write("ctl.json", b));
        assertTrue(m.contains("field \"decoder.type\" is \"Byte\\nLevel\\r\""), m);
    }
}
