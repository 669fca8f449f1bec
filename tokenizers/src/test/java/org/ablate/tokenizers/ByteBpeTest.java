package org.ablate.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-level BPE beyond the reference cases: round trips, tokenizer.json, long inputs, the splitter. */
class ByteBpeTest {
    private static Tokenizer gpt2;

    @BeforeAll
    static void load() throws Exception {
        gpt2 = TestSupport.provider("byte-bpe").load(Gpt2ConformanceTest.caseDir(), Params.empty());
    }

    /** Code points drawn from pools that stress the splitter and the byte mapping. */
    static String randomText(SplittableRandom r, int maxLen) {
        int[][] pools = {
                {' ', ' ', ' ', '\t', '\n', '\r', 0x0B, 0x0C, 0xA0, 0x2009, 0x3000, 0x85},
                {'a', 'b', 'z', 'A', 'Q', 'é', 'ß', 'ñ', 'Ω', 'ж'},
                {'0', '7', '9', '²', '½', 0x0663, 0x2167},
                {'\'', 's', 't', 'r', 'e', 'v', 'l', 'm', 'd', 'L'},
                {'!', '.', ',', '?', '-', '"', '#', '<', '|', '>', '_', '~', 0x00, 0x01, 0x7F},
                {0x1F600, 0x1F389, 0x1F44D, 0x1F3FD, 0x200D, 0x2764, 0xFE0F, 0x1F1EF, 0x1F1F5},
                {'中', '文', '語', '한', '국', 'ア', 'か', 0x20B9F},
                {0x0301, 0x0308, 0x0327, 0x036F, 0x20DD, 0x0E31},
                {0xFFFD, 0xFEFF, 0x10FFFF, 0xE000, 0x0600, 0x05D0}
        };
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxLen + 1);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(8) == 0) {
                int cp;
                do { cp = r.nextInt(0x110000); } while (cp >= 0xD800 && cp <= 0xDFFF);
                sb.appendCodePoint(cp);
            } else {
                int[] pool = pools[r.nextInt(pools.length)];
                sb.appendCodePoint(pool[r.nextInt(pool.length)]);
            }
        }
        return sb.toString();
    }

    @Test
    void randomUnicodeRoundTrips() {
        SplittableRandom r = new SplittableRandom(20261123L);
        for (int t = 0; t < 3000; t++) {
            String s = randomText(r, 40);
            int[] ids = gpt2.encode(s);
            assertEquals(s, gpt2.decode(ids), () -> "round trip of " + s.codePoints().mapToObj(Integer::toHexString).toList());
            for (int id : ids) assertTrue(id >= 0 && id < gpt2.vocabSize());
        }
    }

    @Test
    void piecesEqualTheGpt2Expression() {
        // The scanner against java.util.regex running GPT-2's expression (with Unicode White_Space for \s).
        var regex = java.util.regex.Pattern.compile(
                "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 3000; t++) {
            String s = randomText(r, 30);
            List<String> want = new ArrayList<>();
            var m = regex.matcher(s);
            while (m.find()) want.add(m.group());
            List<String> got = new ArrayList<>();
            for (int i = 0; i < s.length(); ) {
                int j = Gpt2Splitter.next(s, i, s.length());
                got.add(s.substring(i, j));
                i = j;
            }
            assertEquals(want, got, () -> "pieces of " + s.codePoints().mapToObj(Integer::toHexString).toList());
        }
    }

    @Test
    void unpairedSurrogateEncodesAsReplacementCharacter() {
        assertEquals("a\uFFFDb", gpt2.decode(gpt2.encode("a\uD800b")));
        assertArrayEquals(gpt2.encode("x\uFFFD"), gpt2.encode("x\uDC00"));
    }

    @Test
    void cutUtf8DecodesToReplacementCharacter() {
        int[] ids = gpt2.encode("😀");
        assertTrue(ids.length > 1, "the emoji spans several byte tokens");
        String part = gpt2.decode(java.util.Arrays.copyOf(ids, ids.length - 1));
        assertTrue(part.contains("\uFFFD"), part);
    }

    @Test
    void tenMegabyteSingleLineEncodesAndRoundTrips() {
        String unit = TestSupport.corpus(3, 4096).replace('\n', ' ');
        StringBuilder sb = new StringBuilder(10_000_000 + unit.length());
        while (sb.length() < 10_000_000) sb.append(unit);
        String big = sb.toString();
        int[] ids = gpt2.encode(big);
        assertTrue(ids.length > big.length() / 8 && ids.length < big.length(), "ids: " + ids.length);
        assertEquals(big, gpt2.decode(ids));
    }

    @Test
    void veryLongWordsRoundTripAndStillMerge() {
        // One piece of 90,000 letters: merged in one pass over a heap of candidate pairs.
        String word = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(2000);
        int[] ids = gpt2.encode(word);
        assertEquals(word, gpt2.decode(ids));
        assertTrue(ids.length < word.length() / 2, "merges applied: " + ids.length + " ids");
        String letters = "abcdefgh".repeat(50_000);
        assertEquals(letters, gpt2.decode(gpt2.encode(letters)));
    }

    @Test
    void loadsHuggingFaceTokenizerJson(@TempDir Path tmp) throws Exception {
        // Build a BPE tokenizer.json from GPT-2's own files (both merge spellings), then check every reference case.
        ObjectMapper json = new ObjectMapper();
        Path dir = Gpt2ConformanceTest.caseDir();
        JsonNode vocab = json.readTree(dir.resolve("encoder.json").toFile());
        List<String> lines = Files.readAllLines(dir.resolve("vocab.bpe"), StandardCharsets.UTF_8);
        for (boolean asPairs : new boolean[]{false, true}) {
            List<Object> merges = new ArrayList<>();
            for (String l : lines) {
                if (l.isEmpty() || l.startsWith("#version")) continue;
                merges.add(asPairs ? List.of(l.split(" ")) : l);
            }
            // The parts and options as in Hugging Face's own GPT-2 tokenizer.json
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
            model.put("merges", merges);
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("version", "1.0");
            root.put("truncation", null);
            root.put("padding", null);
            root.put("added_tokens", List.of(Map.of("id", 50256, "content", "<|endoftext|>", "single_word", false, "lstrip", false,
                    "rstrip", false, "normalized", true, "special", true)));
            root.put("normalizer", null);
            root.put("pre_tokenizer", Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", true));
            root.put("post_processor", Map.of("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", false, "use_regex", true));
            root.put("decoder", Map.of("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", true, "use_regex", true));
            root.put("model", model);
            Path file = tmp.resolve("tokenizer" + asPairs + ".json");
            json.writeValue(file.toFile(), root);
            Tokenizer tok = TestSupport.provider("byte-bpe").load(file, Params.empty());
            for (JsonNode c : json.readTree(dir.resolve("cases.json").toFile())) {
                int[] want = new int[c.get("ids").size()];
                for (int i = 0; i < want.length; i++) want[i] = c.get("ids").get(i).asInt();
                assertArrayEquals(want, tok.encode(c.get("text").asText()), c.get("text").asText());
            }
            assertEquals(50256, tok.specialTokens().eos());
        }
    }

    @Test
    void savedGpt2ReloadsIdentically(@TempDir Path tmp) throws Exception {
        gpt2.save(tmp);
        Tokenizer again = TestSupport.provider("byte-bpe").load(tmp, Params.empty());
        assertEquals(gpt2.vocabSize(), again.vocabSize());
        SplittableRandom r = new SplittableRandom(11);
        for (int t = 0; t < 300; t++) {
            String s = randomText(r, 60);
            assertArrayEquals(gpt2.encode(s), again.encode(s));
        }
    }
}
