package org.ablate.tokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.ablate.api.SpecialTokens;

/**
 * BERT's WordPiece, as Hugging Face's BertNormalizer + BertPreTokenizer + WordPiece model.
 *
 * <p>Special tokens written in a text are matched first, on the raw text: those a tokenizer.json lists in
 * {@code added_tokens}, or for a vocab.txt [PAD], [UNK], [CLS], [SEP] and [MASK]. The rest is normalised: clean text drops U+0000, U+FFFD and
 * control characters (Unicode category C*, except tab, newline and carriage return) and turns whitespace
 * into spaces; Chinese (CJK ideograph) characters get spaces around them; accents are stripped (NFD, then
 * nonspacing marks removed) when {@code stripAccents}, which by default follows {@code lowercase}; then
 * lower-casing. Words are split on whitespace and every punctuation character (ASCII symbols and Unicode
 * P*) stands alone. Each word becomes its greedy longest-match-first pieces, later pieces prefixed
 * {@code ##}; a word longer than {@code maxInputCharsPerWord} code points, or one with an unmatched rest,
 * becomes [UNK]. {@code encodeForModel} gives {@code [CLS] a [SEP]} and {@code [CLS] a [SEP] b [SEP]}.
 */
final class WordPiece extends BaseTokenizer {
    private final String[] vocab;
    private final Map<String, Integer> ids;
    private final boolean cleanText, handleChinese, stripAccents, lowercase;
    private final Boolean stripAccentsSetting;
    private final String prefix;
    private final int maxChars;
    private final int unk;
    private final String[] addedStrings;
    private final int[] addedIds;
    private final SpecialTokens specials;
    private static final int CACHE_LIMIT = 200_000;
    private static final int CACHE_MAX_WORD = 64;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    WordPiece(String[] vocab, boolean cleanText, boolean handleChinese, Boolean stripAccents, boolean lowercase,
              String unkToken, String prefix, int maxChars, List<String> addedSpecials, String where) throws IOException {
        super(new int[]{need(vocab, "[CLS]", where)}, new int[]{need(vocab, "[SEP]", where)});
        this.vocab = vocab.clone();
        this.ids = new HashMap<>(vocab.length * 2);
        for (int i = 0; i < vocab.length; i++) ids.putIfAbsent(vocab[i], i);
        this.cleanText = cleanText;
        this.handleChinese = handleChinese;
        this.stripAccentsSetting = stripAccents;
        this.stripAccents = stripAccents == null ? lowercase : stripAccents;
        this.lowercase = lowercase;
        this.prefix = prefix;
        this.maxChars = maxChars;
        this.unk = need(vocab, unkToken, where);
        // A tokenizer.json lists the tokens matched in a text (added_tokens) and only those are, as in Hugging
        // Face; a vocab.txt (addedSpecials null) gets BERT's special tokens.
        List<String> added = new ArrayList<>();
        if (addedSpecials != null) added.addAll(addedSpecials);
        else for (String s : new String[]{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", unkToken}) {
            if (ids.containsKey(s) && !added.contains(s)) added.add(s);
        }
        addedStrings = added.toArray(String[]::new);
        addedIds = new int[addedStrings.length];
        for (int k = 0; k < addedStrings.length; k++) {
            Integer id = ids.get(addedStrings[k]);
            if (id == null) throw new IOException(where + ": special token " + Json.quote(addedStrings[k]) + " is not in the vocabulary");
            addedIds[k] = id;
        }
        specials = specials(ids.getOrDefault("[PAD]", -1), -1, -1, unk, ids.getOrDefault("[MASK]", -1),
                ids.get("[CLS]"), ids.get("[SEP]"));
    }

    private static int need(String[] vocab, String token, String where) throws IOException {
        for (int i = 0; i < vocab.length; i++) if (vocab[i].equals(token)) return i;
        throw new IOException(where + ": the vocabulary has no " + Json.quote(token) + " token, which WordPiece needs");
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 4));
        int from = 0;
        while (from < text.length()) {
            int at = text.length(), which = -1;
            for (int k = 0; k < addedStrings.length; k++) {
                int j = text.indexOf(addedStrings[k], from);
                if (j >= 0 && (j < at || (j == at && addedStrings[k].length() > addedStrings[which].length()))) {
                    at = j;
                    which = k;
                }
            }
            encodeOrdinary(text.substring(from, at), out);
            if (which < 0) break;
            out.add(addedIds[which]);
            from = at + addedStrings[which].length();
        }
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntList out) {
        String s = normalize(text);
        int i = 0, n = s.length();
        while (i < n) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            if (Gpt2Splitter.isSpace(cp)) { i += len; continue; }
            if (isPunctuation(cp)) {
                wordPiece(s.substring(i, i + len), out);
                i += len;
                continue;
            }
            int j = i;
            while (j < n) {
                int c = s.codePointAt(j);
                if (Gpt2Splitter.isSpace(c) || isPunctuation(c)) break;
                j += Character.charCount(c);
            }
            wordPiece(s.substring(i, j), out);
            i = j;
        }
    }

    private String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            char ch = text.charAt(i);
            if (ch < 128 && ch >= 32 && ch != 127) {  // printable ASCII: kept as is
                sb.append(ch);
                i++;
                continue;
            }
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || isControl(cp)) continue;
                if (Gpt2Splitter.isSpace(cp)) { sb.append(' '); continue; }
            }
            if (handleChinese && isChinese(cp)) sb.append(' ').appendCodePoint(cp).append(' ');
            else sb.appendCodePoint(cp);
        }
        String s = sb.toString();
        // Nothing below U+00C0 decomposes under NFD or is a nonspacing mark: skip the pass for such text.
        if (stripAccents && hasCharFrom(s, 0xC0)) {
            String d = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder kept = new StringBuilder(d.length());
            for (int i = 0; i < d.length(); ) {
                int cp = d.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.getType(cp) != Character.NON_SPACING_MARK) kept.appendCodePoint(cp);
            }
            s = kept.toString();
        }
        if (lowercase) s = s.toLowerCase(Locale.ROOT);
        return s;
    }

    private static boolean hasCharFrom(String s, int min) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= min) return true;
        return false;
    }

    private void wordPiece(String word, IntList out) {
        if (word.length() <= CACHE_MAX_WORD) {
            int[] cached = cache.get(word);
            if (cached == null) {
                IntList pieces = new IntList(4);
                split(word, pieces);
                cached = pieces.toArray();
                if (cache.size() >= CACHE_LIMIT) cache.clear();
                cache.put(word, cached);
            }
            out.addAll(cached);
        } else {
            split(word, out);
        }
    }

    private void split(String word, IntList out) {
        if (word.codePointCount(0, word.length()) > maxChars) { out.add(unk); return; }
        IntList pieces = new IntList(4);
        int start = 0, n = word.length();
        while (start < n) {
            int end = n, found = -1;
            while (end > start) {
                String sub = word.substring(start, end);
                Integer id = ids.get(start > 0 ? prefix + sub : sub);
                if (id != null) { found = id; break; }
                end = Character.isLowSurrogate(word.charAt(end - 1)) && end - 2 >= start ? end - 2 : end - 1;
            }
            if (found < 0) { out.add(unk); return; }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces.toArray());
    }

    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        if (cp < 128) return cp < 32 || cp == 127;
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED
                || t == Character.PRIVATE_USE || t == Character.SURROGATE;
    }

    /** BERT's punctuation: all non-alphanumeric ASCII symbols, and Unicode categories P*. */
    static boolean isPunctuation(int cp) {
        if (cp < 128) return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
    }

    /** The CJK Unified Ideographs blocks BERT treats as Chinese characters. */
    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Tokens joined by spaces, {@code ##} pieces glued to the previous one, spaces before punctuation removed as BERT's decoder does. */
    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 5);
        for (int k = 0; k < ids.length; k++) {
            String t = token(ids[k]);
            if (k > 0 && t.startsWith(prefix)) sb.append(t, prefix.length(), t.length());
            else {
                if (k > 0) sb.append(' ');
                sb.append(t);
            }
        }
        String s = sb.toString();
        String[][] cleanup = {{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
                {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
        for (String[] r : cleanup) s = s.replace(r[0], r[1]);
        return s;
    }

    @Override public int vocabSize() { return vocab.length; }
    @Override String tokenUnchecked(int id) { return vocab[id]; }
    @Override public int id(String token) { return ids.getOrDefault(token, -1); }
    @Override public SpecialTokens specialTokens() { return specials; }

    /**
     * Writes {@code tokenizer.json} (Hugging Face layout, all settings, with BERT's post-processor and the
     * WordPiece decoder) and {@code vocab.txt}.
     */
    @Override
    public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        StringBuilder v = new StringBuilder(vocab.length * 8);
        for (String t : vocab) v.append(t).append('\n');
        Files.writeString(directory.resolve("vocab.txt"), v, StandardCharsets.UTF_8);
        StringBuilder j = new StringBuilder(vocab.length * 16);
        j.append("{\n  \"version\": \"1.0\",\n  \"added_tokens\": [");
        for (int k = 0; k < addedStrings.length; k++) {
            j.append(k == 0 ? "\n" : ",\n").append("    {\"id\": ").append(addedIds[k]).append(", \"content\": ")
                    .append(Json.quote(addedStrings[k])).append(", \"special\": true, \"normalized\": false}");
        }
        j.append("\n  ],\n  \"normalizer\": {\"type\": \"BertNormalizer\", \"clean_text\": ").append(cleanText)
                .append(", \"handle_chinese_chars\": ").append(handleChinese)
                .append(", \"strip_accents\": ").append(stripAccentsSetting)
                .append(", \"lowercase\": ").append(lowercase).append("},\n")
                .append("  \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"},\n")
                .append("  \"post_processor\": ").append(bertTemplate()).append(",\n")
                .append("  \"decoder\": {\"type\": \"WordPiece\", \"prefix\": ").append(Json.quote(prefix)).append(", \"cleanup\": true},\n")
                .append("  \"model\": {\"type\": \"WordPiece\", \"unk_token\": ").append(Json.quote(vocab[unk]))
                .append(", \"continuing_subword_prefix\": ").append(Json.quote(prefix))
                .append(", \"max_input_chars_per_word\": ").append(maxChars).append(", \"vocab\": {");
        for (int id = 0; id < vocab.length; id++) {
            j.append(id == 0 ? "\n    " : ",\n    ").append(Json.quote(vocab[id])).append(": ").append(id);
        }
        j.append("\n  }}\n}\n");
        Files.writeString(directory.resolve("tokenizer.json"), j, StandardCharsets.UTF_8);
    }

    /** BERT's TemplateProcessing post-processor, with this vocabulary's [CLS] and [SEP] ids. */
    private String bertTemplate() {
        int cls = ids.get("[CLS]"), sep = ids.get("[SEP]");
        String c = "{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}", s0 = "{\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}";
        String a = "{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}", b = "{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}";
        String s1 = "{\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 1}}";
        return "{\"type\": \"TemplateProcessing\", \"single\": [" + c + ", " + a + ", " + s0 + "], \"pair\": [" + c + ", " + a + ", "
                + s0 + ", " + b + ", " + s1 + "], \"special_tokens\": {\"[CLS]\": {\"id\": \"[CLS]\", \"ids\": [" + cls
                + "], \"tokens\": [\"[CLS]\"]}, \"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [" + sep + "], \"tokens\": [\"[SEP]\"]}}}";
    }

    // ---- loading ----

    /** BERT's {@code vocab.txt}: one token per line, the id is the line number minus one. */
    static WordPiece loadVocabTxt(Path file, boolean lowercase, int maxChars) throws IOException {
        String text = TextFiles.read(file);
        String[] lines = text.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) n--;  // the final newline ends the last line
        String[] vocab = new String[n];
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String t = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (t.isEmpty()) throw new IOException(file + ": line " + (i + 1) + ": empty token");
            Integer prior = seen.putIfAbsent(t, i);
            if (prior != null) throw new IOException(file + ": line " + (i + 1) + ": token " + Json.quote(t) + " repeats line " + (prior + 1));
            vocab[i] = t;
        }
        return new WordPiece(vocab, true, true, null, lowercase, "[UNK]", "##", maxChars, null, file.toString());
    }

    /**
     * A Hugging Face {@code tokenizer.json} with a WordPiece model, as BERT's: a BertNormalizer or none, the
     * BertPreTokenizer, BERT's post-processor ({@code [CLS] $A [SEP]}, pairs {@code [CLS] $A [SEP] $B:1 [SEP]:1},
     * as TemplateProcessing or BertProcessing) or none, the WordPiece decoder (with cleanup) or none. Any other
     * normalizer, pre-tokenizer, post-processor or decoder, and added-token flags that change matching, are
     * refused by name. {@code truncation} and {@code padding} are encode-time options that this reader does
     * not apply: Ablate's batch encoder takes its own.
     */
    static WordPiece loadHf(Path file) throws IOException {
        Object root = TextFiles.readJson(file);
        Map<String, Object> model = TextFiles.object(root, "model", file);
        Map<?, ?> rootMap = (Map<?, ?>) root;
        String type = TextFiles.string(model, "type", "model.type", file, null);
        if (!type.equals("WordPiece")) {
            throw new IOException(file + ": field \"model.type\" is " + Json.quote(type) + "; wordpiece reads only WordPiece models");
        }
        Map<String, Object> vocabMap = TextFiles.object(model, "vocab", file);
        String[] vocab = ByteLevelBpe.denseVocab(vocabMap, file, "model.vocab");
        String unkToken = TextFiles.string(model, "unk_token", "model.unk_token", file, "[UNK]");
        String prefix = TextFiles.string(model, "continuing_subword_prefix", "model.continuing_subword_prefix", file, "##");
        Object mc = model.get("max_input_chars_per_word");
        int maxChars = mc == null ? 100 : TextFiles.integer(mc, "model.max_input_chars_per_word", file);
        boolean clean = false, chinese = false, lower = false;
        Boolean strip = false;
        String ntype = HfParts.type(rootMap, "normalizer", file);
        if (ntype != null) {
            if (!ntype.equals("BertNormalizer")) throw HfParts.unsupported(file, "normalizer.type", ntype, "wordpiece", "BertNormalizer or none");
            Map<String, Object> nm = TextFiles.object(root, "normalizer", file);
            clean = orDefault(TextFiles.bool(nm, "clean_text", "normalizer.clean_text", file), true);
            chinese = orDefault(TextFiles.bool(nm, "handle_chinese_chars", "normalizer.handle_chinese_chars", file), true);
            lower = orDefault(TextFiles.bool(nm, "lowercase", "normalizer.lowercase", file), true);
            strip = TextFiles.bool(nm, "strip_accents", "normalizer.strip_accents", file);
        }
        List<String> added = new ArrayList<>();
        if (rootMap.get("added_tokens") != null) {
            List<Object> list = TextFiles.array(root, "added_tokens", file);
            for (int k = 0; k < list.size(); k++) {
                Object t = list.get(k);
                HfParts.addedToken(t, k, file, "wordpiece", ntype != null);
                String content = TextFiles.string(t, "content", "added_tokens[" + k + "].content", file, null);
                int id = TextFiles.integer(((Map<?, ?>) t).get("id"), "added_tokens[" + k + "].id", file);
                if (id >= vocab.length || !vocab[id].equals(content)) {
                    throw new IOException(file + ": field \"added_tokens[" + k + "]\": " + Json.quote(content) + " has id " + id
                            + ", which model.vocab gives to " + (id < vocab.length ? Json.quote(vocab[id]) : "no token"));
                }
                added.add(content);
            }
        }
        WordPiece w = new WordPiece(vocab, clean, chinese, strip, lower, unkToken, prefix, maxChars, added, file.toString());
        checkParts(rootMap, vocab, prefix, file);
        return w;
    }

    /** BERT's template in Hugging Face's notation, for a single text and for a pair. */
    static final String SINGLE = "[CLS]:0 $A:0 [SEP]:0", PAIR = "[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1";

    /** Pre-tokenizer, post-processor and decoder: BERT's are implemented, the rest refused by name. */
    private static void checkParts(Map<?, ?> root, String[] vocab, String prefix, Path file) throws IOException {
        String pre = HfParts.type(root, "pre_tokenizer", file);
        if (pre == null) {
            throw new IOException(file + ": field \"pre_tokenizer\" is missing or null, so Hugging Face would not split words;"
                    + " wordpiece supports BertPreTokenizer only");
        }
        if (!pre.equals("BertPreTokenizer")) throw HfParts.unsupported(file, "pre_tokenizer.type", pre, "wordpiece", "BertPreTokenizer only");
        String post = HfParts.type(root, "post_processor", file);
        if (post != null) {
            Map<?, ?> pp = (Map<?, ?>) root.get("post_processor");
            switch (post) {
                case "TemplateProcessing" -> {
                    for (String[] part : new String[][] {{"single", SINGLE}, {"pair", PAIR}}) {
                        String found = HfParts.template(pp.get(part[0]));
                        if (!found.equals(part[1])) {
                            throw new IOException(file + ": field \"post_processor." + part[0] + "\" is " + Json.quote(found)
                                    + "; wordpiece supports only BERT's template " + Json.quote(part[1]));
                        }
                    }
                    Object specials = pp.get("special_tokens");
                    for (String token : new String[] {"[CLS]", "[SEP]"}) {
                        Object st = specials instanceof Map<?, ?> sm ? sm.get(token) : null;
                        Object ids = st instanceof Map<?, ?> stm ? stm.get("ids") : null;
                        int id = idOf(vocab, token);
                        if (!(ids instanceof List<?> l && l.size() == 1 && Long.valueOf(id).equals(l.get(0)))) {
                            throw new IOException(file + ": field \"post_processor.special_tokens." + token + ".ids\" is "
                                    + (ids == null ? "missing" : ids instanceof List<?> l ? l.toString().replace('\n', ' ').replace('\r', ' ') : HfParts.show(ids))
                                    + "; expected [" + id + "], the id model.vocab gives " + token);
                        }
                        Map<?, ?> entry = (Map<?, ?>) st;
                        if (!token.equals(entry.get("id")) || !List.of(token).equals(entry.get("tokens"))) {
                            throw new IOException(file + ": field \"post_processor.special_tokens." + token + "\" must have \"id\": \""
                                    + token + "\" and \"tokens\": [\"" + token + "\"], as BERT's template");
                        }
                    }
                }
                case "BertProcessing" -> {
                    for (String[] part : new String[][] {{"cls", "[CLS]"}, {"sep", "[SEP]"}}) {
                        Object v = pp.get(part[0]);
                        int id = idOf(vocab, part[1]);
                        if (!(v instanceof List<?> l && l.size() == 2 && part[1].equals(l.get(0)) && Long.valueOf(id).equals(l.get(1)))) {
                            throw new IOException(file + ": field \"post_processor." + part[0] + "\" is " + HfParts.show(v)
                                    + "; expected [\"" + part[1] + "\", " + id + "], the token and the id model.vocab gives it");
                        }
                    }
                }
                default -> throw HfParts.unsupported(file, "post_processor.type", post, "wordpiece",
                        "TemplateProcessing or BertProcessing with BERT's [CLS] $A [SEP] layout, or none");
            }
        }
        HfParts.topLevel(root, file);
        String decoder = HfParts.type(root, "decoder", file);
        if (decoder != null) {
            if (!decoder.equals("WordPiece")) throw HfParts.unsupported(file, "decoder.type", decoder, "wordpiece", "WordPiece or none");
            Map<?, ?> d = (Map<?, ?>) root.get("decoder");
            HfParts.only(d, "prefix", "decoder.prefix", file, "wordpiece", "the model's continuing_subword_prefix " + Json.quote(prefix), prefix);
            HfParts.only(d, "cleanup", "decoder.cleanup", file, "wordpiece", "true (decoding always cleans up spaces before punctuation)", true);
        }
    }

    private static int idOf(String[] vocab, String token) {
        for (int i = 0; i < vocab.length; i++) if (vocab[i].equals(token)) return i;
        return -1;
    }

    private static boolean orDefault(Boolean b, boolean d) { return b == null ? d : b; }
}
