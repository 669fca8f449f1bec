package org.ablate.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a small valid BPE tokenizer.json and a WordPiece one: character edits, truncations,
 * byte corruption, deep nesting, values replaced, keys removed, part types swapped, vocabulary, merge and
 * added-token edits, and whitespace-only changes. Each must be refused with a one-line IOException naming
 * the file, or load into a tokenizer that works: ids inside the vocabulary, byte-level round trips exact,
 * and, when the mutated file is the same JSON as the original (as read by Jackson), the same ids as the
 * original on every probe. Any other exception, or a run past the time limit, fails the test. The counts
 * are reported in docs/reliability.md; they change only if the mutations do.
 */
class TokenizerJsonFuzzTest {
    static final long SEED = 0x70c3a1L;
    static final int MUTATIONS_EACH = 300;
    private static final String[] PROBES = {"abc abcx", "Hello, worlds! unaffable", "<|endoftext|>ab[SEP]", "h\u00e9llo \u4e16\u754c \ud83d\ude00",
            "", "  \t\n", "[CLS] un##aff [MASK]"};
    private static final String[] TYPES = {"BPE", "WordPiece", "Unigram", "ByteLevel", "Metaspace", "Whitespace", "BertPreTokenizer",
            "Sequence", "NFC", "Lowercase", "BertNormalizer", "TemplateProcessing", "BertProcessing", "RobertaProcessing", ""};

    private static final ObjectMapper WRITE = new ObjectMapper();
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    @TempDir Path dir;

    /** Outcome counts: refused; loaded from the same JSON (ids checked against the original); loaded from a changed file. */
    record Counts(int refused, int sameJson, int changedButWorking) {}

    @Test
    void mutatedByteBpeFilesAreRefusedCleanlyOrWork() {
        Counts c = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("byte-bpe", StrictFilesTest.bpe(), SEED));
        assertEquals(MUTATIONS_EACH, c.refused() + c.sameJson() + c.changedButWorking());
        assertEquals(new Counts(207, 38, 55), c);
    }

    @Test
    void mutatedWordPieceFilesAreRefusedCleanlyOrWork() {
        Counts c = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("wordpiece", StrictFilesTest.wordPiece(), SEED + 1));
        assertEquals(MUTATIONS_EACH, c.refused() + c.sameJson() + c.changedButWorking());
        assertEquals(new Counts(207, 40, 53), c);
    }

    private Counts run(String provider, Map<String, Object> base, long seed) throws IOException {
        String original = WRITE.writerWithDefaultPrettyPrinter().writeValueAsString(base);
        JsonNode originalTree = STRICT.readTree(original);
        Path originalFile = dir.resolve(provider + "-original.json");
        Files.writeString(originalFile, original, StandardCharsets.UTF_8);
        Tokenizer reference = TestSupport.provider(provider).load(originalFile, Params.empty());
        Random r = new Random(seed);
        int refused = 0, same = 0, changed = 0;
        Map<String, int[]> byClass = new TreeMap<>();
        for (int k = 0; k < MUTATIONS_EACH; k++) {
            String[] kind = new String[2];
            byte[] bytes = mutate(r, base, original, kind);
            Path f = dir.resolve(provider + "-case-" + k + ".json");
            Files.write(f, bytes);
            String what = provider + " mutation " + k + " (" + kind[0] + (kind[1] == null ? "" : ": " + kind[1]) + ")";
            Tokenizer t;
            try {
                t = TestSupport.provider(provider).load(f, Params.empty());
            } catch (IOException e) {
                String m = e.getMessage();
                assertTrue(m != null && m.startsWith(f + ": ") && m.length() > f.toString().length() + 10,
                        what + ": the message must name the file and the fault: " + m);
                assertFalse(m.contains("\n") || m.contains("\r"), what + ": one line: " + m);
                refused++;
                byClass.computeIfAbsent(kind[0], x -> new int[3])[0]++;
                continue;
            } catch (Throwable e) {
                throw new AssertionError(what + ": load threw " + e, e);
            }
            boolean sameJson;
            try {
                sameJson = STRICT.readTree(new String(bytes, StandardCharsets.UTF_8)).equals(originalTree);
            } catch (IOException e) {
                sameJson = false;
            }
            try {
                for (String p : PROBES) {
                    int[] ids = t.encode(p);
                    for (int id : ids) assertTrue(id >= 0 && id < t.vocabSize(), what + ": id " + id + " outside the vocabulary");
                    String back = t.decode(ids);
                    if (provider.equals("byte-bpe")) assertEquals(p, back, what + ": byte-level round trip");
                    t.encodeForModel(p, "pair " + p, true);
                    if (sameJson) assertArrayEquals(reference.encode(p), ids, what + ": the same JSON must tokenize the same");
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable e) {
                throw new AssertionError(what + ": the loaded tokenizer threw " + e, e);
            }
            if (sameJson) same++;
            else changed++;
            if (!sameJson && Boolean.getBoolean("fuzz.verbose")) System.out.println("  loaded: " + what);
            byClass.computeIfAbsent(kind[0], x -> new int[3])[sameJson ? 1 : 2]++;
        }
        System.out.println(provider + " tokenizer.json fuzz: " + MUTATIONS_EACH + " mutations, " + refused + " refused, " + same
                + " loaded from the same JSON (same ids), " + changed + " loaded from a changed file (ids in range"
                + (provider.equals("byte-bpe") ? ", exact round trips" : "") + ")");
        byClass.forEach((k, v) -> System.out.println("  " + k + ": " + (v[0] + v[1] + v[2]) + " mutations, " + v[0] + " refused, "
                + v[1] + " same JSON, " + v[2] + " changed but working"));
        return new Counts(refused, same, changed);
    }

    // ---- mutations ----

    private static final String CHARS = "{}[]\",:0123456789-.eE tfnul\\ab#[]\u0000\u00e9\u2581\n";

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static byte[] mutate(Random r, Map<String, Object> base, String text, String[] kind) throws IOException {
        int at = r.nextInt(text.length());
        switch (r.nextInt(12)) {
            case 0 -> {
                kind[0] = "character replaced";
                return utf8(text.substring(0, at) + CHARS.charAt(r.nextInt(CHARS.length())) + text.substring(at + 1));
            }
            case 1 -> {
                kind[0] = "character deleted";
                return utf8(text.substring(0, at) + text.substring(at + 1));
            }
            case 2 -> {
                kind[0] = "character inserted";
                return utf8(text.substring(0, at) + CHARS.charAt(r.nextInt(CHARS.length())) + text.substring(at));
            }
            case 3 -> {
                kind[0] = "truncated";
                return utf8(text.substring(0, at));
            }
            case 4 -> {
                kind[0] = "byte corrupted";
                byte[] b = utf8(text);
                b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(128));
                return b;
            }
            case 5 -> {
                kind[0] = "value replaced";
                Map<String, Object> root = StrictFilesTest.copy(base);
                Slot s = pick(r, root);
                Object v = randomValue(r);
                s.set(v);
                kind[1] = s.path + " = " + (v instanceof List<?> l && !l.isEmpty() ? "nested lists" : v);
                return utf8(WRITE.writeValueAsString(root));
            }
            case 6 -> {
                kind[0] = "key removed";
                Map<String, Object> root = StrictFilesTest.copy(base);
                Slot s = pick(r, root);
                s.remove();
                kind[1] = s.path;
                return utf8(WRITE.writeValueAsString(root));
            }
            case 7 -> {
                kind[0] = "part type swapped";
                Map<String, Object> root = StrictFilesTest.copy(base);
                List<Slot> types = new ArrayList<>();
                for (Slot s : slots(root, false)) if ("type".equals(s.key)) types.add(s);
                Slot s = types.get(r.nextInt(types.size()));
                s.set(TYPES[r.nextInt(TYPES.length)]);
                kind[1] = s.path + " = " + s.value();
                return utf8(WRITE.writeValueAsString(root));
            }
            case 8 -> {
                kind[0] = "vocabulary edited";
                Map<String, Object> root = StrictFilesTest.copy(base);
                @SuppressWarnings("unchecked")
                Map<String, Object> vocab = (Map<String, Object>) ((Map<String, Object>) root.get("model")).get("vocab");
                List<String> keys = new ArrayList<>(vocab.keySet());
                String key = keys.get(r.nextInt(keys.size()));
                switch (r.nextInt(4)) {
                    case 0 -> { int id = r.nextInt(keys.size() + 2) - 1; vocab.put(key, id); kind[1] = key + " = " + id; }
                    case 1 -> { vocab.remove(key); kind[1] = key + " removed"; }
                    case 2 -> { Object id = vocab.remove(key); vocab.put(key + "x", id); kind[1] = key + " renamed"; }
                    default -> { String n = "new" + r.nextInt(10); vocab.put(n, keys.size()); kind[1] = n + " added"; }
                }
                return utf8(WRITE.writeValueAsString(root));
            }
            case 9 -> {
                kind[0] = "merge or added token edited";
                Map<String, Object> root = StrictFilesTest.copy(base);
                List<Slot> inLists = new ArrayList<>();
                for (Slot s : slots(root, false)) {
                    if (s.path.contains("merges") || s.path.contains("added_tokens")) inLists.add(s);
                }
                Slot s = inLists.get(r.nextInt(inLists.size()));
                if (r.nextBoolean()) {
                    Object v = randomValue(r);
                    s.set(v);
                    kind[1] = s.path + " = " + (v instanceof List<?> l && !l.isEmpty() ? "nested lists" : v);
                } else {
                    s.remove();
                    kind[1] = s.path + " removed";
                }
                return utf8(WRITE.writeValueAsString(root));
            }
            case 10 -> {
                int depth = 1 + r.nextInt(3000);
                kind[0] = "deep nesting";
                return utf8("[".repeat(depth) + text + "]".repeat(depth));
            }
            default -> {
                kind[0] = "whitespace only";
                return utf8(text.replace(": ", r.nextBoolean() ? ":" : " :\n\t ").replace(",\n", r.nextBoolean() ? "," : " ,\r\n"));
            }
        }
    }

    private static Object randomValue(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> null;
            case 1 -> true;
            case 2 -> false;
            case 3 -> 0;
            case 4 -> -1;
            case 5 -> 1_000_000_000L;
            case 6 -> 2.5;
            case 7 -> "x";
            case 8 -> "";
            case 9 -> new ArrayList<>();
            case 10 -> new LinkedHashMap<>();
            default -> {
                Object v = "deep";
                for (int i = r.nextInt(200); i > 0; i--) v = List.of(v);
                yield v;
            }
        };
    }

    /** A place in the JSON tree: a key of an object or an index of an array. */
    private static final class Slot {
        final Object container;
        final String key;
        final int index;
        final String path;

        Slot(Object container, String key, int index, String path) {
            this.container = container;
            this.key = key;
            this.index = index;
            this.path = path;
        }

        @SuppressWarnings("unchecked")
        void set(Object v) {
            if (key != null) ((Map<String, Object>) container).put(key, v);
            else ((List<Object>) container).set(index, v);
        }

        Object value() { return key != null ? ((Map<?, ?>) container).get(key) : ((List<?>) container).get(index); }

        @SuppressWarnings("unchecked")
        void remove() {
            if (key != null) ((Map<String, Object>) container).remove(key);
            else ((List<Object>) container).remove(index);
        }
    }

    private static Slot pick(Random r, Map<String, Object> root) {
        List<Slot> all = slots(root, false);
        return all.get(r.nextInt(all.size()));
    }

    /** Every slot of the tree; the vocabulary's entries are left out (they would be most of the picks). */
    private static List<Slot> slots(Object node, boolean intoVocab) {
        List<Slot> out = new ArrayList<>();
        collect(node, "", intoVocab, out);
        return out;
    }

    private static void collect(Object node, String path, boolean intoVocab, List<Slot> out) {
        if (node instanceof Map<?, ?> m) {
            for (Object k : new ArrayList<>(m.keySet())) {
                String p = path + "." + k;
                out.add(new Slot(m, (String) k, -1, p));
                if (!p.equals(".model.vocab") || intoVocab) collect(m.get(k), p, intoVocab, out);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                out.add(new Slot(l, null, i, path + "[" + i + "]"));
                collect(l.get(i), path + "[" + i + "]", intoVocab, out);
            }
        }
    }
}
