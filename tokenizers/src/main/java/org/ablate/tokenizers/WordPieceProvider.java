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

/**
 * {@code wordpiece}: BERT's WordPiece. {@link #load} reads the file named by {@code tokenizer_file} or
 * {@code vocab_file} (relative to a folder {@code path}), else {@code path} itself when it is a file
 * ({@code .json}: a Hugging Face tokenizer.json; otherwise a vocab.txt), else {@code tokenizer.json} or
 * {@code vocab.txt} in the folder. A tokenizer.json brings its own normaliser settings; a vocab.txt
 * uses the {@code lowercase} and {@code max_input_chars_per_word} parameters. Invalid UTF-8 reads as U+FFFD.
 */
public final class WordPieceProvider implements TokenizerProvider {
    @Override public String id() { return "wordpiece"; }

    @Override public String description() {
        return "BERT WordPiece (Devlin et al. 2019; Wu et al. 2016); loads vocab.txt or tokenizer.json";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.path("tokenizer_file", "", "Hugging Face tokenizer.json (WordPiece model), relative to the path"),
                ParamSpec.path("vocab_file", "", "BERT vocab.txt, relative to the path"),
                ParamSpec.bool("lowercase", true, "vocab.txt only: lower-case and strip accents (uncased models)"),
                ParamSpec.integer("max_input_chars_per_word", 100, 1, null, "vocab.txt only: longer words become [UNK]"));
    }

    @Override
    public Tokenizer load(Path path, Params params) throws IOException {
        Params p = params == null ? Params.empty() : params;
        boolean lower = !p.has("lowercase") || p.getBoolean("lowercase");
        int maxChars = p.has("max_input_chars_per_word") ? p.getInt("max_input_chars_per_word") : 100;
        Path base = Files.isDirectory(path) ? path : path.getParent();
        Path tokFile = TextFiles.resolve(base, p.getString("tokenizer_file"));
        if (tokFile != null) return WordPiece.loadHf(tokFile);
        Path vocabFile = TextFiles.resolve(base, p.getString("vocab_file"));
        if (vocabFile != null) return WordPiece.loadVocabTxt(vocabFile, lower, maxChars);
        if (Files.isRegularFile(path)) {
            return path.getFileName().toString().endsWith(".json")
                    ? WordPiece.loadHf(path) : WordPiece.loadVocabTxt(path, lower, maxChars);
        }
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("tokenizer.json"))) return WordPiece.loadHf(path.resolve("tokenizer.json"));
            if (Files.isRegularFile(path.resolve("vocab.txt"))) return WordPiece.loadVocabTxt(path.resolve("vocab.txt"), lower, maxChars);
            throw new IOException(path + ": wordpiece expects tokenizer.json or vocab.txt in this folder");
        }
        throw new IOException(path + ": no such file or folder");
    }
}
