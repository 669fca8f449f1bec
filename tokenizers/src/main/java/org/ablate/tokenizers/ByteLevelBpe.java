package org.ablate.tokenizers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.ablate.api.SpecialTokens;

/**
 * GPT-2 byte-level BPE. A text is split by {@link Gpt2Splitter}; each piece is turned into its UTF-8
 * bytes, each byte into its single-byte token, and adjacent tokens are merged lowest merge rank first
 * (leftmost first among equal ranks) until no listed merge applies. Occurrences of the special tokens
 * (e.g. {@code <|endoftext|>}) in a text are encoded as those tokens. Unpaired surrogates in a text are
 * encoded as U+FFFD; apart from them {@code decode(encode(s)).equals(s)}. Decoding bytes that do not form
 * valid UTF-8 (e.g. a cut-off id list) gives U+FFFD for each bad sequence.
 */
final class ByteLevelBpe extends BaseTokenizer {
    static final String END_OF_TEXT = "<|endoftext|>";
    private static final int CACHE_LIMIT = 200_000;
    private static final int CACHE_MAX_PIECE = 64;

    private final String[] vocab;
    private final Map<String, Integer> ids;
    private final byte[][] bytesOf;
    private final int[] byteToken = new int[256];
    private final LongIntMap ranks;
    private final int[] mergeLeft, mergeRight, mergeResult;
    private final String[] specialStrings;
    private final int[] specialIds;
    private final SpecialTokens specials;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /** {@code vocab[id]} in byte-to-unicode form; merges as id pairs in rank order; specials by id. */
    ByteLevelBpe(String[] vocab, int[][] merges, int[] specialIds, String where) throws IOException {
        super(new int[0], new int[0]);
        this.vocab = vocab.clone();
        this.ids = new HashMap<>(vocab.length * 2);
        for (int i = 0; i < vocab.length; i++) ids.put(vocab[i], i);
        this.specialIds = specialIds.clone();
        this.specialStrings = new String[specialIds.length];
        for (int k = 0; k < specialIds.length; k++) specialStrings[k] = vocab[specialIds[k]];
        char[] byteChar = byteToChar();
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(byteChar[b]));
            if (id == null) {
                throw new IOException(where + ": the vocabulary lacks the single-byte token \"" + byteChar[b]
                        + "\" for byte " + b + "; a byte-level vocabulary needs all 256");
            }
            byteToken[b] = id;
        }
        int[] charToByte = new int[512];
        Arrays.fill(charToByte, -1);
        for (int b = 0; b < 256; b++) charToByte[byteChar[b]] = b;
        bytesOf = new byte[vocab.length][];
        for (int id = 0; id < vocab.length; id++) {
            String t = vocab[id];
            if (isSpecialId(id)) { bytesOf[id] = t.getBytes(StandardCharsets.UTF_8); continue; }
            byte[] bs = new byte[t.length()];
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                int b = c < charToByte.length ? charToByte[c] : -1;
                if (b < 0) {
                    throw new IOException(where + ": token " + Json.quote(t) + " (id " + id + ") has the character U+"
                            + String.format("%04X", (int) c) + ", which is not a byte-level symbol");
                }
                bs[i] = (byte) b;
            }
            bytesOf[id] = bs;
        }
        ranks = new LongIntMap(merges.length);
        mergeLeft = new int[merges.length];
        mergeRight = new int[merges.length];
        mergeResult = new int[merges.length];
        for (int r = 0; r < merges.length; r++) {
            int a = merges[r][0], b = merges[r][1];
            Integer merged = ids.get(vocab[a] + vocab[b]);
            if (merged == null) {
                throw new IOException(where + ": merge " + (r + 1) + " (" + Json.quote(vocab[a] + " " + vocab[b])
                        + ") makes " + Json.quote(vocab[a] + vocab[b]) + ", which is not in the vocabulary");
            }
            mergeLeft[r] = a;
            mergeRight[r] = b;
            mergeResult[r] = merged;
            // The first listing of a pair wins, as in GPT-2's rank table.
            if (ranks.get(LongIntMap.pair(a, b)) < 0) ranks.put(LongIntMap.pair(a, b), r);
        }
        int eot = ids.getOrDefault(END_OF_TEXT, -1);
        if (eot >= 0 && !isSpecialId(eot)) eot = -1;
        int first = eot >= 0 ? eot : (specialIds.length > 0 ? specialIds[0] : -1);
        specials = specials(first, first, first, -1, -1, -1, -1);
    }

    private boolean isSpecialId(int id) {
        for (int s : specialIds) if (s == id) return true;
        return false;
    }

    /** GPT-2's byte-to-unicode table: printable bytes stand for themselves, the rest get U+0100 onwards. */
    static char[] byteToChar() {
        char[] out = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = printable ? (char) b : (char) (256 + n++);
        }
        return out;
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        int from = 0;
        while (from < text.length()) {
            int at = text.length(), which = -1;
            for (int k = 0; k < specialStrings.length; k++) {
                int j = text.indexOf(specialStrings[k], from);
                if (j >= 0 && (j < at || (j == at && specialStrings[k].length() > specialStrings[which].length()))) {
                    at = j;
                    which = k;
                }
            }
            encodeOrdinary(text, from, at, out);
            if (which < 0) break;
            out.add(specialIds[which]);
            from = at + specialStrings[which].length();
        }
        return out.toArray();
    }

    private void encodeOrdinary(String text, int from, int to, IntList out) {
        int i = from;
        while (i < to) {
            int j = Gpt2Splitter.next(text, i, to);
            if (j - i <= CACHE_MAX_PIECE) {
                String piece = text.substring(i, j);
                int[] cached = cache.get(piece);
                if (cached == null) {
                    cached = bpe(text, i, j);
                    if (cache.size() >= CACHE_LIMIT) cache.clear();
                    cache.put(piece, cached);
                }
                out.addAll(cached);
            } else {
                out.addAll(bpe(text, i, j));
            }
            i = j;
        }
    }

    /** Merges the byte tokens of {@code text[from, to)}; a heap of candidate pairs keeps long pieces O(n log n). */
    private int[] bpe(String text, int from, int to) {
        byte[] bytes = Utf8.encode(text, from, to);
        int n = bytes.length;
        int[] sym = new int[n], next = new int[n], prev = new int[n];
        for (int k = 0; k < n; k++) {
            sym[k] = byteToken[bytes[k] & 0xFF];
            next[k] = k + 1 < n ? k + 1 : -1;
            prev[k] = k - 1;
        }
        if (n == 1) return sym;
        LongHeap heap = new LongHeap(n);
        for (int k = 0; k + 1 < n; k++) {
            int r = ranks.get(LongIntMap.pair(sym[k], sym[k + 1]));
            if (r >= 0) heap.push(((long) r << 32) | k);
        }
        int alive = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int r = (int) (top >>> 32), k = (int) top;
            int right = next[k];
            // Stale entries: the left symbol was absorbed (sym = -1) or a neighbour changed.
            if (sym[k] < 0 || right < 0 || sym[k] != mergeLeft[r] || sym[right] != mergeRight[r]) continue;
            sym[k] = mergeResult[r];
            sym[right] = -1;
            int after = next[right];
            next[k] = after;
            if (after >= 0) prev[after] = k;
            alive--;
            int before = prev[k];
            if (before >= 0) {
                int rb = ranks.get(LongIntMap.pair(sym[before], sym[k]));
                if (rb >= 0) heap.push(((long) rb << 32) | before);
            }
            if (after >= 0) {
                int ra = ranks.get(LongIntMap.pair(sym[k], sym[after]));
                if (ra >= 0) heap.push(((long) ra << 32) | k);
            }
        }
        int[] result = new int[alive];
        int m = 0;
        for (int k = 0; k >= 0; k = next[k]) result[m++] = sym[k];
        return result;
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            if (id < 0 || id >= vocab.length) {
                throw new IllegalArgumentException("decode: token id " + id + " is outside the vocabulary [0, " + vocab.length + ")");
            }
            bytes.writeBytes(bytesOf[id]);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override public int vocabSize() { return vocab.length; }
    @Override String tokenUnchecked(int id) { return vocab[id]; }
    @Override public int id(String token) { return ids.getOrDefault(token, -1); }
    @Override public SpecialTokens specialTokens() { return specials; }

    int mergeCount() { return mergeLeft.length; }

    /** Writes {@code encoder.json} (token to id) and {@code vocab.bpe} (merges in rank order), GPT-2's layout. */
    @Override
    public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        StringBuilder enc = new StringBuilder(vocab.length * 12).append('{');
        for (int id = 0; id < vocab.length; id++) {
            if (id > 0) enc.append(", ");
            enc.append(Json.quote(vocab[id])).append(": ").append(id);
        }
        enc.append("}");
        StringBuilder merges = new StringBuilder(mergeLeft.length * 10).append("#version: 0.2\n");
        for (int r = 0; r < mergeLeft.length; r++) {
            merges.append(vocab[mergeLeft[r]]).append(' ').append(vocab[mergeRight[r]]).append('\n');
        }
        Files.writeString(directory.resolve("encoder.json"), enc, StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("vocab.bpe"), merges, StandardCharsets.UTF_8);
    }

    // ---- loading ----

    /** Loads GPT-2's {@code encoder.json} and {@code vocab.bpe}. */
    static ByteLevelBpe loadGpt2(Path encoderFile, Path mergesFile) throws IOException {
        Object json = TextFiles.readJson(encoderFile);
        if (!(json instanceof Map<?, ?> map)) {
            throw new IOException(encoderFile + ": expected a JSON object mapping tokens to ids, got " + TextFiles.kind(json));
        }
        String[] vocab = denseVocab(map, encoderFile, "");
        String text = TextFiles.read(mergesFile);
        if (text.isBlank()) {
            // Zero merges would silently turn every text into single bytes; a real file has at least its version line.
            throw new IOException(mergesFile + ": the merges file is empty; expected a \"#version: 0.2\" line and then one merge"
                    + " per line (\"left right\")");
        }
        String[] lines = text.split("\n", -1);
        int[][] merges = new int[lines.length][];
        int count = 0;
        Map<String, Integer> ids = indexOf(vocab);
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isEmpty() || (ln == 0 && line.startsWith("#version"))) continue;
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                throw new IOException(mergesFile + ": line " + (ln + 1) + ": expected two tokens separated by one space, got \""
                        + line + "\"");
            }
            merges[count++] = mergePair(ids, line.substring(0, sp), line.substring(sp + 1),
                    mergesFile + ": line " + (ln + 1), vocab);
        }
        int eot = ids.getOrDefault(END_OF_TEXT, -1);
        return new ByteLevelBpe(vocab, Arrays.copyOf(merges, count), eot >= 0 ? new int[]{eot} : new int[0],
                encoderFile.toString());
    }

    /**
     * Loads a Hugging Face {@code tokenizer.json} whose model is BPE (byte-level, as GPT-2's). What GPT-2's
     * file holds is implemented: no normalizer, the ByteLevel pre-tokenizer (no prefix space, GPT-2's split
     * rule), a ByteLevel or no post-processor, a ByteLevel or no decoder, plain added tokens. Anything else
     * in those places, and BPE options GPT-2 does not use (dropout, subword prefixes or suffixes, byte
     * fallback, ignore_merges), is refused by name rather than tokenized differently from Hugging Face.
     */
    static ByteLevelBpe loadHf(Path file) throws IOException {
        Object root = TextFiles.readJson(file);
        Map<String, Object> model = TextFiles.object(root, "model", file);
        Map<?, ?> rm = (Map<?, ?>) root;
        String type = TextFiles.string(model, "type", "model.type", file, "BPE");
        if (!type.equals("BPE")) {
            throw new IOException(file + ": field \"model.type\" is " + Json.quote(type) + "; byte-bpe reads only BPE models");
        }
        Map<String, Object> vocabMap = TextFiles.object(model, "vocab", file);
        List<Object> added = rm.get("added_tokens") != null ? TextFiles.array(root, "added_tokens", file) : List.of();
        Map<Object, Object> all = new HashMap<>(vocabMap);
        int[] specialIds = new int[added.size()];
        for (int k = 0; k < added.size(); k++) {
            Object t = added.get(k);
            HfParts.addedToken(t, k, file, "byte-bpe", false);
            String content = TextFiles.string(t, "content", "added_tokens[" + k + "].content", file, null);
            int id = TextFiles.integer(((Map<?, ?>) t).get("id"), "added_tokens[" + k + "].id", file);
            Object prior = all.put(content, (long) id);
            if (prior != null && !prior.equals((long) id)) {
                throw new IOException(file + ": field \"added_tokens[" + k + "]\": " + Json.quote(content) + " has id " + id
                        + " but model.vocab gives it " + HfParts.show(prior));
            }
            specialIds[k] = id;
        }
        String[] vocab = denseVocab(all, file, "model.vocab");
        Map<String, Integer> ids = indexOf(vocab);
        List<Object> mergeList = TextFiles.array(model, "merges", file);
        int[][] merges = new int[mergeList.size()][];
        for (int r = 0; r < merges.length; r++) {
            Object m = mergeList.get(r);
            String where = file + ": field \"model.merges[" + r + "]\"";
            String a, b;
            if (m instanceof String s) {
                int sp = s.indexOf(' ');
                if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
                    throw new IOException(where + ": expected \"left right\", got " + Json.quote(s));
                }
                a = s.substring(0, sp);
                b = s.substring(sp + 1);
            } else if (m instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String x && l.get(1) instanceof String y) {
                a = x;
                b = y;
            } else {
                throw new IOException(where + ": expected a string \"left right\" or a pair [left, right], got " + TextFiles.kind(m));
            }
            merges[r] = mergePair(ids, a, b, where, vocab);
        }
        checkParts(rm, model, file);
        return new ByteLevelBpe(vocab, merges, specialIds, file.toString());
    }

    /** The parts around the model: what GPT-2's file has is implemented, the rest refused by name. */
    private static void checkParts(Map<?, ?> rm, Map<String, Object> model, Path file) throws IOException {
        String normalizer = HfParts.type(rm, "normalizer", file);
        if (normalizer != null) {
            throw HfParts.unsupported(file, "normalizer.type", normalizer, "byte-bpe", "no normalizer (null, as GPT-2)");
        }
        String preType = HfParts.type(rm, "pre_tokenizer", file);
        if (preType == null) {
            throw new IOException(file + ": field \"pre_tokenizer\" is missing or null, so Hugging Face would not byte-map the text;"
                    + " byte-bpe supports ByteLevel (GPT-2's) only");
        }
        // Only GPT-2's own splitting is implemented; another rule would give different ids silently.
        Map<String, Object> pre = TextFiles.object(rm, "pre_tokenizer", file);
        if (!preType.equals("ByteLevel")) {
            throw HfParts.unsupported(file, "pre_tokenizer.type", preType, "byte-bpe", "ByteLevel (GPT-2's) only");
        }
        HfParts.bools(pre, "pre_tokenizer", file, "trim_offsets");
        if (Boolean.TRUE.equals(TextFiles.bool(pre, "add_prefix_space", "pre_tokenizer.add_prefix_space", file))) {
            throw new IOException(file + ": field \"pre_tokenizer.add_prefix_space\" is true; byte-bpe supports only false (GPT-2)");
        }
        if (Boolean.FALSE.equals(TextFiles.bool(pre, "use_regex", "pre_tokenizer.use_regex", file))) {
            throw new IOException(file + ": field \"pre_tokenizer.use_regex\" is false; byte-bpe always splits with GPT-2's rule");
        }
        String post = HfParts.type(rm, "post_processor", file);
        if (post != null && !post.equals("ByteLevel")) {
            throw HfParts.unsupported(file, "post_processor.type", post, "byte-bpe",
                    "ByteLevel (which changes only offsets) or none; it adds no tokens");
        }
        if (post != null) HfParts.bools((Map<?, ?>) rm.get("post_processor"), "post_processor", file, "add_prefix_space", "trim_offsets", "use_regex");
        String decoder = HfParts.type(rm, "decoder", file);
        if (decoder != null && !decoder.equals("ByteLevel")) {
            throw HfParts.unsupported(file, "decoder.type", decoder, "byte-bpe", "ByteLevel or none");
        }
        if (decoder != null) HfParts.bools((Map<?, ?>) rm.get("decoder"), "decoder", file, "add_prefix_space", "trim_offsets", "use_regex");
        HfParts.topLevel(rm, file);
        TextFiles.string(model, "unk_token", "model.unk_token", file, "");
        HfParts.bools(model, "model", file, "fuse_unk");
        HfParts.only(model, "dropout", "model.dropout", file, "byte-bpe", "null or 0 (no BPE dropout)", 0L);
        HfParts.only(model, "continuing_subword_prefix", "model.continuing_subword_prefix", file, "byte-bpe", "null or \"\"", "");
        HfParts.only(model, "end_of_word_suffix", "model.end_of_word_suffix", file, "byte-bpe", "null or \"\"", "");
        HfParts.only(model, "byte_fallback", "model.byte_fallback", file, "byte-bpe", "false (every byte has its own token)", false);
        HfParts.only(model, "ignore_merges", "model.ignore_merges", file, "byte-bpe", "false (words are always merged)", false);
    }

    private static int[] mergePair(Map<String, Integer> ids, String a, String b, String where, String[] vocab) throws IOException {
        Integer ia = ids.get(a), ib = ids.get(b);
        if (ia == null || ib == null) {
            throw new IOException(where + ": merge " + Json.quote(a + " " + b) + " uses " + Json.quote(ia == null ? a : b)
                    + ", which is not in the vocabulary");
        }
        return new int[]{ia, ib};
    }

    private static Map<String, Integer> indexOf(String[] vocab) {
        Map<String, Integer> m = new HashMap<>(vocab.length * 2);
        for (int i = 0; i < vocab.length; i++) m.put(vocab[i], i);
        return m;
    }

    /** Token-to-id map as id-indexed array; ids must be exactly 0..n-1. */
    static String[] denseVocab(Map<?, ?> map, Path file, String field) throws IOException {
        String[] vocab = new String[map.size()];
        String prefix = field.isEmpty() ? "" : field + ".";
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String token = (String) e.getKey();
            String f = prefix + token;
            int id = TextFiles.integer(e.getValue(), f, file);
            if (id >= vocab.length) {
                throw new IOException(file + ": field " + Json.quote(f) + ": id " + id + " is outside [0, " + vocab.length
                        + "); ids must number the tokens 0 to n-1");
            }
            if (vocab[id] != null) {
                throw new IOException(file + ": field " + Json.quote(f) + ": id " + id + " is also used by " + Json.quote(vocab[id]));
            }
            vocab[id] = token;
        }
        return vocab;
    }
}
