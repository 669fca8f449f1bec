package org.ablate.tokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.ablate.api.SpecialTokens;

/**
 * One id per code point. Ids 0-3 are {@code <pad>}, {@code <unk>}, {@code <bos>}, {@code <eos>}; id 4 is
 * {@code <mask>} when the vocabulary has one (for masked-LM training); then the corpus's code points, most
 * frequent first (ties by code point). A code point outside the vocabulary
 * encodes as {@code <unk>}, so {@code decode(encode(s))} equals {@code s} only for text made of known
 * characters; unpaired surrogates are single "code points" here like any other char.
 * {@code encodeForModel} gives {@code <bos> a <eos>} and {@code <bos> a <eos> b <eos>}.
 * Special tokens written in a text are not matched: text is characters only.
 */
final class CharTokenizer extends BaseTokenizer {
    static final String[] SPECIALS = {"<pad>", "<unk>", "<bos>", "<eos>"};
    static final String FILE = "char-vocab.json";
    static final String MASK = "<mask>";
    private final String[] vocab;
    private final Map<Integer, Integer> ids;
    private final Map<String, Integer> tokenIds;
    private final int maskId;

    CharTokenizer(String[] vocab) {
        super(new int[]{2}, new int[]{3});
        this.vocab = vocab.clone();
        ids = new HashMap<>(vocab.length * 2);
        tokenIds = new HashMap<>(vocab.length * 2);
        maskId = vocab.length > SPECIALS.length && vocab[SPECIALS.length].equals(MASK) ? SPECIALS.length : -1;
        for (int i = 0; i < vocab.length; i++) {
            tokenIds.put(vocab[i], i);
            if (i >= SPECIALS.length && i != maskId) ids.put(vocab[i].codePointAt(0), i);
        }
    }

    static CharTokenizer train(CharSequence corpus, int vocabSize, int minFrequency) {
        return train(corpus, vocabSize, minFrequency, false);
    }

    /** @param mask add {@code <mask>} as id 4 */
    static CharTokenizer train(CharSequence corpus, int vocabSize, int minFrequency, boolean mask) {
        Map<Integer, int[]> counts = new HashMap<>();
        String s = corpus.toString();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            counts.computeIfAbsent(cp, k -> new int[1])[0]++;
        }
        List<Map.Entry<Integer, int[]>> order = new ArrayList<>(counts.entrySet());
        order.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
                ? Integer.compare(b.getValue()[0], a.getValue()[0]) : Integer.compare(a.getKey(), b.getKey()));
        List<String> vocab = new ArrayList<>(List.of(SPECIALS));
        if (mask) vocab.add(MASK);
        for (Map.Entry<Integer, int[]> e : order) {
            if (vocabSize > 0 && vocab.size() >= vocabSize) break;
            if (e.getValue()[0] < minFrequency) break;
            vocab.add(Character.toString(e.getKey()));
        }
        return new CharTokenizer(vocab.toArray(String[]::new));
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.codePointCount(0, text.length())];
        int k = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            out[k++] = ids.getOrDefault(cp, 1);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) sb.append(token(id));
        return sb.toString();
    }

    @Override public int vocabSize() { return vocab.length; }
    @Override String tokenUnchecked(int id) { return vocab[id]; }
    @Override public int id(String token) { return tokenIds.getOrDefault(token, -1); }
    @Override public SpecialTokens specialTokens() { return specials(0, 2, 3, 1, maskId, -1, -1); }

    /** Writes {@code char-vocab.json}: a JSON array of the tokens in id order. */
    @Override
    public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < vocab.length; i++) sb.append(i == 0 ? "\n  " : ",\n  ").append(Json.quote(vocab[i]));
        sb.append("\n]\n");
        Files.writeString(directory.resolve(FILE), sb, StandardCharsets.UTF_8);
    }

    static CharTokenizer load(Path file) throws IOException {
        Object json = TextFiles.readJson(file);
        if (!(json instanceof List<?> list)) {
            throw new IOException(file + ": expected a JSON array of tokens in id order, got " + TextFiles.kind(json));
        }
        return fromTokens(list, file, "element ");
    }

    /** The tokens in id order, checked: the specials first, then one character each, no repeats. */
    private static CharTokenizer fromTokens(List<?> list, Path file, String element) throws IOException {
        String[] vocab = new String[list.size()];
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < vocab.length; i++) {
            Object t = list.get(i);
            String field = element.equals("element ") ? "[" + i + "]" : Integer.toString(i);
            if (!(t instanceof String s)) throw new IOException(file + ": " + element + field + " must be a string, got " + TextFiles.kind(t));
            if (i < SPECIALS.length && !s.equals(SPECIALS[i])) {
                throw new IOException(file + ": " + element + field + " must be " + Json.quote(SPECIALS[i]) + ", got " + Json.quote(s));
            }
            if (i >= SPECIALS.length && !(i == SPECIALS.length && s.equals(MASK)) && (s.isEmpty() || s.codePointCount(0, s.length()) != 1)) {
                throw new IOException(file + ": " + element + field + " must be one character, got " + Json.quote(s));
            }
            Integer prior = seen.putIfAbsent(s, i);
            if (prior != null) throw new IOException(file + ": " + element + field + " " + Json.quote(s) + " repeats " + element + (element.equals("element ") ? "[" + prior + "]" : prior));
            vocab[i] = s;
        }
        if (vocab.length < SPECIALS.length) throw new IOException(file + ": needs at least the " + SPECIALS.length + " special tokens");
        return new CharTokenizer(vocab);
    }

    /**
     * Reads the {@code tokenizer.json} an export writes for a char tokenizer: a {@code WordLevel} model whose
     * ids 0-3 are the specials and every other token one character, a {@code Split} pre-tokenizer isolating
     * each character ({@code [\s\S]}), a {@code Fuse} decoder or none, no normalizer and no post-processor.
     * Any other layout would tokenize differently and is refused, naming the field.
     */
    static CharTokenizer loadHf(Path file) throws IOException {
        Object json = TextFiles.readJson(file);
        if (!(json instanceof Map<?, ?> root)) throw new IOException(file + ": expected a JSON object, got " + TextFiles.kind(json));
        String reader = "char (a WordLevel tokenizer.json)";
        HfParts.only(root, "normalizer", "normalizer", file, reader, "null (no normalizer)");
        HfParts.only(root, "post_processor", "post_processor", file, reader, "null (no post-processor)");
        String decoder = HfParts.type(root, "decoder", file);
        if (decoder != null && !decoder.equals("Fuse")) throw HfParts.unsupported(file, "decoder.type", decoder, reader, "Fuse");
        Object pre = root.get("pre_tokenizer");
        Map<String, Object> split = Map.of("type", "Split", "pattern", Map.of("Regex", "[\\s\\S]"), "behavior", "Isolated", "invert", false);
        if (!split.equals(pre)) {
            throw new IOException(file + ": field \"pre_tokenizer\" is " + HfParts.show(pre) + "; " + reader
                    + " supports only {\"type\": \"Split\", \"pattern\": {\"Regex\": \"[\\\\s\\\\S]\"}, \"behavior\": \"Isolated\", \"invert\": false}");
        }
        if (root.get("added_tokens") instanceof List<?> added) {
            // only the specials, at their own ids: another added token would be matched in text before the model
            for (int k = 0; k < added.size(); k++) {
                Object t = added.get(k);
                Object id = t instanceof Map<?, ?> m ? m.get("id") : null, content = t instanceof Map<?, ?> m ? m.get("content") : null;
                if (!(id instanceof Long i) || i < 0 || i >= SPECIALS.length || !SPECIALS[(int) (long) i].equals(content)) {
                    throw new IOException(file + ": field \"added_tokens[" + k + "]\" is " + HfParts.show(content) + "; " + reader
                            + " supports only its special tokens <pad> <unk> <bos> <eos> at ids 0-3");
                }
            }
        }
        if (!(root.get("model") instanceof Map<?, ?> model)) throw new IOException(file + ": field \"model\" must be a JSON object");
        String type = HfParts.type(root, "model", file);
        if (!"WordLevel".equals(type)) throw HfParts.unsupported(file, "model.type", String.valueOf(type), reader, "WordLevel");
        if (!"<unk>".equals(model.get("unk_token"))) throw new IOException(file + ": field \"model.unk_token\" must be \"<unk>\", got " + HfParts.show(model.get("unk_token")));
        if (!(model.get("vocab") instanceof Map<?, ?> vocab)) throw new IOException(file + ": field \"model.vocab\" must be a JSON object of token ids");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < vocab.size(); i++) tokens.add(null);
        for (Map.Entry<?, ?> e : vocab.entrySet()) {
            String field = "model.vocab." + e.getKey();
            if (!(e.getValue() instanceof Long n) || n < 0 || n >= vocab.size()) {
                throw new IOException(file + ": field \"" + field + "\" must be an id from 0 to " + (vocab.size() - 1) + ", got " + HfParts.show(e.getValue()));
            }
            int id = (int) (long) n;
            if (tokens.get(id) != null) throw new IOException(file + ": field \"" + field + "\" repeats id " + id + " of " + Json.quote(tokens.get(id)));
            tokens.set(id, (String) e.getKey());
        }
        return fromTokens(tokens, file, "model.vocab token with id ");
    }
}
