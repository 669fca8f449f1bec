package org.ablate.tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.ablate.api.ApiVersion;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;

/** {@code char}: one id per code point, vocabulary learned from a corpus; reads {@code char-vocab.json}, or the
 * {@code tokenizer.json} that {@code ablate export} writes for it. */
public final class CharProvider implements TokenizerProvider {
    @Override public String id() { return "char"; }

    @Override public String description() { return "Character-level: one id per code point, with <pad> <unk> <bos> <eos> (and <mask> if asked); trainable"; }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.integer("vocab_size", 0, 0, null, "training: at most this many ids, specials included; 0 = every character seen"),
                ParamSpec.integer("min_frequency", 1, 1, null, "training: characters seen fewer times map to <unk>"),
                ParamSpec.bool("mask_token", false, "training: add <mask> as id 4, for masked-LM training"));
    }

    @Override public boolean trainable() { return true; }

    @Override
    public Tokenizer load(Path path, Params params) throws IOException {
        if (Files.isDirectory(path)) {
            // An exported Hugging Face folder holds tokenizer.json instead of char-vocab.json.
            Path hf = path.resolve("tokenizer.json");
            if (!Files.isRegularFile(path.resolve(CharTokenizer.FILE)) && Files.isRegularFile(hf)) return CharTokenizer.loadHf(hf);
            return CharTokenizer.load(path.resolve(CharTokenizer.FILE));
        }
        if (path.getFileName().toString().equals("tokenizer.json")) return CharTokenizer.loadHf(path);
        return CharTokenizer.load(path);
    }

    @Override
    public Tokenizer train(CharSequence corpus, Params params) {
        Params p = params == null ? Params.empty() : params;
        int vocabSize = p.has("vocab_size") ? p.getInt("vocab_size") : 0;
        int minFrequency = p.has("min_frequency") ? p.getInt("min_frequency") : 1;
        if (vocabSize != 0 && vocabSize <= CharTokenizer.SPECIALS.length) {
            throw new IllegalArgumentException("char: vocab_size must be 0 or more than " + CharTokenizer.SPECIALS.length + ", got " + vocabSize);
        }
        boolean mask = p.has("mask_token") && p.getBoolean("mask_token");
        return CharTokenizer.train(corpus, vocabSize, minFrequency, mask);
    }
}
