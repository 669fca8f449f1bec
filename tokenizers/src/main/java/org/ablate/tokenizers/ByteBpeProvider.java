package org.ablate.tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.ablate.api.ApiVersion;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;

/**
 * {@code byte-bpe}: GPT-2's byte-level BPE. {@link #load} reads, in this order of preference: the files
 * named by the {@code tokenizer_file} or {@code vocab_file}/{@code merges_file} parameters (relative to
 * a folder {@code path}); a Hugging Face {@code tokenizer.json} (the file itself, or in the folder);
 * GPT-2's {@code encoder.json} + {@code vocab.bpe}; or {@code vocab.json} + {@code merges.txt}.
 * Bytes that are not valid UTF-8 in any of these files are read as U+FFFD.
 */
public final class ByteBpeProvider implements TokenizerProvider {
    @Override public String id() { return "byte-bpe"; }

    @Override public String description() {
        return "GPT-2 byte-level BPE (Radford et al. 2019; Sennrich et al. 2016); loads encoder.json+vocab.bpe or tokenizer.json; trainable";
    }

    @Override public ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    @Override public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.path("tokenizer_file", "", "Hugging Face tokenizer.json (BPE model) to load, relative to the path"),
                ParamSpec.path("vocab_file", "", "GPT-2 encoder.json to load, relative to the path"),
                ParamSpec.path("merges_file", "", "GPT-2 vocab.bpe (merges) to load, relative to the path"),
                ParamSpec.integer("vocab_size", 4096, 257, 1 << 24, "training: vocabulary size, 256 bytes + merges + <|endoftext|>"),
                ParamSpec.integer("min_frequency", 2, 1, null, "training: a pair seen fewer times is never merged"));
    }

    @Override public boolean trainable() { return true; }

    @Override
    public Tokenizer load(Path path, Params params) throws IOException {
        Params p = params == null ? Params.empty() : params;
        Path base = Files.isDirectory(path) ? path : path.getParent();
        Path tokFile = TextFiles.resolve(base, p.getString("tokenizer_file"));
        if (tokFile != null) return ByteLevelBpe.loadHf(tokFile);
        Path vocabFile = TextFiles.resolve(base, p.getString("vocab_file"));
        Path mergesFile = TextFiles.resolve(base, p.getString("merges_file"));
        if (vocabFile != null || mergesFile != null) {
            if (vocabFile == null || mergesFile == null) {
                throw new IOException("byte-bpe: give both vocab_file and merges_file (got vocab_file="
                        + vocabFile + ", merges_file=" + mergesFile + ")");
            }
            return ByteLevelBpe.loadGpt2(vocabFile, mergesFile);
        }
        if (Files.isRegularFile(path)) {
            Object json = TextFiles.readJson(path);
            if (json instanceof Map<?, ?> m && m.get("model") instanceof Map) return ByteLevelBpe.loadHf(path);
            Path dir = path.toAbsolutePath().getParent();
            for (String merges : new String[]{"vocab.bpe", "merges.txt"}) {
                if (Files.isRegularFile(dir.resolve(merges))) return ByteLevelBpe.loadGpt2(path, dir.resolve(merges));
            }
            throw new IOException(path + ": not a tokenizer.json (no \"model\" field) and no vocab.bpe or merges.txt beside it");
        }
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("tokenizer.json"))) return ByteLevelBpe.loadHf(path.resolve("tokenizer.json"));
            if (Files.isRegularFile(path.resolve("encoder.json")) && Files.isRegularFile(path.resolve("vocab.bpe"))) {
                return ByteLevelBpe.loadGpt2(path.resolve("encoder.json"), path.resolve("vocab.bpe"));
            }
            if (Files.isRegularFile(path.resolve("vocab.json")) && Files.isRegularFile(path.resolve("merges.txt"))) {
                return ByteLevelBpe.loadGpt2(path.resolve("vocab.json"), path.resolve("merges.txt"));
            }
            throw new IOException(path + ": byte-bpe expects tokenizer.json, encoder.json + vocab.bpe, or vocab.json + merges.txt in this folder");
        }
        throw new IOException(path + ": no such file or folder");
    }

    @Override
    public Tokenizer train(CharSequence corpus, Params params) {
        Params p = params == null ? Params.empty() : params;
        int vocabSize = p.has("vocab_size") ? p.getInt("vocab_size") : 4096;
        int minFrequency = p.has("min_frequency") ? p.getInt("min_frequency") : 2;
        return BpeTrainer.train(corpus, vocabSize, minFrequency);
    }
}
