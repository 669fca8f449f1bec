package org.ablate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ablate.api.ComponentKind;
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.hf.HfModel;
import org.ablate.models.hf.HuggingFace;

/**
 * A model folder as the commands take it: a checkpoint of {@code ablate train} / {@code ablate import}, or a
 * Hugging Face folder ({@code config.json} with a {@code model_type}, weights, and optionally the
 * tokenizer's files), told apart by their {@code config.json}.
 *
 * @param model        the model with its weights
 * @param tokenizer    the tokenizer, or {@code null} when the folder has none
 * @param tokenizerId  the tokenizer provider's id, or {@code null}
 * @param eos          the end-of-sequence id, or -1
 * @param pad          the padding id, or -1
 * @param decoderStart the first decoder token of an encoder-decoder model, or -1
 * @param kind         what the folder held, for messages: {@code "checkpoint"} or the Hugging Face model_type
 */
record ModelSource(Model model, Tokenizer tokenizer, String tokenizerId, int eos, int pad, int decoderStart, String kind) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Metrics keys under which {@code ablate import} records the special ids of the source. */
    static final String EOS = "eos_token_id", PAD = "pad_token_id", DECODER_START = "decoder_start_token_id";

    /** Whether {@code dir} is a Hugging Face folder (its config.json has a {@code model_type}). */
    static boolean isHuggingFace(Path dir) throws IOException {
        Path config = Checkpoint.modelFolder(dir).resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IOException(dir + ": no config.json; expected a checkpoint of 'ablate train' or a Hugging Face model folder");
        }
        return JSON.readTree(config.toFile()).has("model_type");
    }

    /**
     * Opens a checkpoint or a Hugging Face folder.
     *
     * @param needTokenizer when {@code false}, a Hugging Face tokenizer that cannot be read is left out
     *                      (with a note on {@code log}) instead of failing
     */
    static ModelSource open(Path dir, ComponentRegistry registry, boolean needTokenizer, java.io.PrintStream log) throws IOException {
        return isHuggingFace(dir) ? openHuggingFace(dir, registry, needTokenizer, log) : openCheckpoint(dir, registry);
    }

    static ModelSource openCheckpoint(Path dir, ComponentRegistry registry) throws IOException {
        Checkpoint.Loaded loaded = Checkpoint.load(dir, registry);
        SpecialTokens sp = loaded.tokenizer() == null ? null : loaded.tokenizer().specialTokens();
        Map<String, Object> m = loaded.metrics();
        int eos = id(m, EOS, sp == null ? -1 : sp.eos());
        int pad = id(m, PAD, sp == null ? -1 : sp.pad());
        // A decoder with no recorded start begins with the tokenizer's BOS, else its padding id, as Marian does.
        int start = id(m, DECODER_START, sp == null ? -1 : sp.has(sp.bos()) ? sp.bos() : sp.pad());
        String tokId = loaded.model().config().tokenizer() == null ? null : loaded.model().config().tokenizer().id();
        return new ModelSource(loaded.model(), loaded.tokenizer(), tokId, eos, pad, start, "checkpoint");
    }

    static ModelSource openHuggingFace(Path dir, ComponentRegistry registry, boolean needTokenizer, java.io.PrintStream log) throws IOException {
        HfModel hf = new HuggingFace(registry).load(dir);
        Tokenizer tokenizer = null;
        String tokId = null;
        try {
            tokId = tokenizerId(dir);
            if (tokId != null) {
                tokenizer = registry.tokenizer(tokId).load(dir, registry.params(ComponentKind.TOKENIZER, tokId, tokenizerParams(dir, tokId)));
                if (tokenizer.vocabSize() > hf.model().config().vocabSize()) {
                    throw new IOException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " tokens, more than config.json's vocab size "
                            + hf.model().config().vocabSize());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (needTokenizer) throw e;
            log.println("note: tokenizer left out (" + Main.message(e) + ")");
            tokenizer = null;
            tokId = null;
        }
        SpecialTokens sp = tokenizer == null ? null : tokenizer.specialTokens();
        int eos = hf.eos() >= 0 ? hf.eos() : sp == null ? -1 : sp.eos();
        int pad = hf.pad() >= 0 ? hf.pad() : sp == null ? -1 : sp.pad();
        return new ModelSource(hf.model(), tokenizer, tokId, eos, pad, hf.decoderStart(), hf.family());
    }

    /**
     * The tokenizer provider for a Hugging Face folder's files, or {@code null} when it has none:
     * {@code tokenizer.json} by its {@code model.type} (BPE, WordPiece, or WordLevel as {@code ablate export} writes a char tokenizer), else GPT-2's vocabulary files, else
     * {@code vocab.txt}.
     */
    static String tokenizerId(Path dir) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            JsonNode root = JSON.readTree(json.toFile());
            String type = root.path("model").path("type").asText("");
            return switch (type) {
                case "BPE" -> {
                    // SentencePiece-style BPE (LLaMA) is stored as BPE too, but decodes through a different rule.
                    String decoder = root.path("decoder").path("type").asText("ByteLevel");
                    if (!decoder.equals("ByteLevel")) {
                        throw new IOException(json + ": field decoder.type is \"" + decoder + "\"; only byte-level BPE (decoder ByteLevel, as GPT-2) is read");
                    }
                    yield "byte-bpe";
                }
                case "WordPiece" -> "wordpiece";
                case "WordLevel" -> "char"; // as 'ablate export' writes a char tokenizer; the char reader checks the rest
                default -> throw new IOException(json + ": field model.type is \"" + type + "\"; expected BPE, WordPiece or WordLevel");
            };
        }
        if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) return "byte-bpe";
        if (Files.isRegularFile(dir.resolve("encoder.json")) && Files.isRegularFile(dir.resolve("vocab.bpe"))) return "byte-bpe";
        if (Files.isRegularFile(dir.resolve("vocab.txt"))) return "wordpiece";
        return null;
    }

    /** A vocab.txt's casing comes from tokenizer_config.json's {@code do_lower_case}, when given. */
    private static Map<String, Object> tokenizerParams(Path dir, String id) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        Path cfg = dir.resolve("tokenizer_config.json");
        if (id.equals("wordpiece") && !Files.isRegularFile(dir.resolve("tokenizer.json")) && Files.isRegularFile(cfg)) {
            JsonNode lower = JSON.readTree(cfg.toFile()).path("do_lower_case");
            if (lower.isBoolean()) p.put("lowercase", lower.asBoolean());
        }
        return p;
    }

    private static int id(Map<String, Object> metrics, String key, int fallback) {
        return metrics.get(key) instanceof Number n ? n.intValue() : fallback;
    }
}
