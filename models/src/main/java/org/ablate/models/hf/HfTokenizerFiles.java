package org.ablate.models.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;

/**
 * A tokenizer written in a form Hugging Face reads, beside an exported checkpoint. {@code byte-bpe} and
 * {@code wordpiece} write their own files ({@code encoder.json} + {@code vocab.bpe}, {@code vocab.txt}); a
 * {@code char} tokenizer becomes a {@code tokenizer.json} of the tokenizers library: a {@code WordLevel}
 * model over the characters, a {@code Split} pre-tokenizer isolating every character, a {@code Fuse}
 * decoder and the four special tokens as added tokens, with a {@code tokenizer_config.json} naming them
 * (and {@code split_special_tokens}, since the char tokenizer never reads {@code <eos>} in text as the
 * special token). Any other tokenizer is refused.
 */
public final class HfTokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The char tokenizer's specials, ids 0 to 3. */
    private static final List<String> CHAR_SPECIALS = List.of("<pad>", "<unk>", "<bos>", "<eos>");

    private HfTokenizerFiles() {}

    /**
     * Refuses a tokenizer with no Hugging Face form, before anything is written.
     *
     * @throws IllegalArgumentException naming {@code tokenizer.id}
     */
    public static void check(String id, Tokenizer tokenizer) {
        if (id == null) throw new IllegalArgumentException("the checkpoint has a tokenizer but its config names no tokenizer.id; export without it with --without-tokenizer");
        switch (id) {
            case "byte-bpe", "wordpiece" -> { }
            case "char" -> {
                for (int i = 0; i < CHAR_SPECIALS.size(); i++) {
                    if (!CHAR_SPECIALS.get(i).equals(tokenizer.token(i))) {
                        throw new IllegalArgumentException("the char tokenizer's id " + i + " is " + tokenizer.token(i) + ", expected " + CHAR_SPECIALS.get(i));
                    }
                }
            }
            default -> throw new IllegalArgumentException("tokenizer.id = " + id + " has no Hugging Face tokenizer form here (char, byte-bpe"
                    + " and wordpiece have); export without it with --without-tokenizer");
        }
    }

    /** Writes the tokenizer's files into {@code dir} (see {@link #check}). */
    public static void write(String id, Tokenizer tokenizer, Path dir) throws IOException {
        check(id, tokenizer);
        if (!id.equals("char")) {
            tokenizer.save(dir);
            return;
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (int i = 0; i < CHAR_SPECIALS.size(); i++) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", i);
            t.put("content", CHAR_SPECIALS.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        }
        root.put("added_tokens", added);
        root.put("normalizer", null);
        // [\s\S] is any one character, newlines included, in the tokenizers library's (Oniguruma) regex syntax.
        root.put("pre_tokenizer", Map.of("type", "Split", "pattern", Map.of("Regex", "[\\s\\S]"), "behavior", "Isolated", "invert", false));
        root.put("post_processor", null);
        root.put("decoder", Map.of("type", "Fuse"));
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokenizer.vocabSize(); i++) vocab.put(tokenizer.token(i), i);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordLevel");
        model.put("vocab", vocab);
        model.put("unk_token", "<unk>");
        root.put("model", model);
        Files.createDirectories(dir);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), root);
        SpecialTokens sp = tokenizer.specialTokens();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("bos_token", tokenizer.token(sp.bos()));
        cfg.put("eos_token", tokenizer.token(sp.eos()));
        cfg.put("unk_token", "<unk>");
        cfg.put("pad_token", tokenizer.token(sp.pad()));
        cfg.put("split_special_tokens", true);
        cfg.put("clean_up_tokenization_spaces", false);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), cfg);
    }
}
