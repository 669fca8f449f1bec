package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ablate generate} and {@code ablate import} against the Hugging Face cases of the conformance data:
 * the reference greedy and beam generations, token for token, from the folder itself, from a sharded copy
 * and from the imported checkpoint.
 */
class GenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One Hugging Face case: its folder, case.json and the generation it expects. */
    record Case(Path dir, JsonNode json) {
        String name() { return dir.getFileName().toString(); }

        JsonNode params() { return json.path("params"); }

        int[] ints(String name) throws IOException {
            try (SafetensorsFile io = Safetensors.open(dir.resolve("io.safetensors"))) {
                return io.names().contains(name) ? io.ints(name).data().clone() : null;
            }
        }

        /** Row 0 of the source, without its padding. */
        int[] sourceRow0() throws IOException {
            int[] ids = ints("input_ids");
            int len;
            try (SafetensorsFile io = Safetensors.open(dir.resolve("io.safetensors"))) {
                len = io.ints("input_ids").size(1);
            }
            int[] row = Arrays.copyOf(ids, len);
            int[] mask = ints("attention_mask");
            if (mask == null) return row;
            int n = 0;
            for (int i = 0; i < len; i++) n += mask[i];
            return Arrays.copyOf(row, n);
        }
    }

    static Path conformanceDir() {
        String prop = System.getProperty("ablate.conformance.dir");
        if (prop == null) fail("set -Dablate.conformance.dir to the conformance data folder");
        Path dir = Path.of(prop);
        if (!Files.isDirectory(dir)) fail("conformance data not found at " + dir.toAbsolutePath() + " (set -Dablate.conformance.dir)");
        return dir;
    }

    static List<Case> cases(String kind) throws IOException {
        List<Case> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(conformanceDir())) {
            for (Path d : dirs.sorted().toList()) {
                Path c = d.resolve("case.json");
                if (!Files.isRegularFile(c)) continue;
                JsonNode json = JSON.readTree(c.toFile());
                if (kind.equals(json.path("kind").asText())) found.add(new Case(d, json));
            }
        }
        if (found.isEmpty()) fail("no " + kind + " case in " + conformanceDir());
        return found;
    }

    static String csv(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** Runs the command and reads the ids it printed. */
    static int[] ids(String... args) {
        MainTest.Result r = MainTest.run(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.err());
        String out = r.out().strip();
        assertFalse(out.isEmpty(), "no output from " + String.join(" ", args));
        return Arrays.stream(out.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

    static String[] args(Object... parts) {
        return Arrays.stream(parts).map(String::valueOf).toArray(String[]::new);
    }

    static void assertCausal(Case k, Path model) throws IOException {
        int[] expected = k.ints("generated_ids");
        int[] got = ids(args("generate", model, "--prompt-ids", csv(k.ints("prompt_ids")), "--sampler", "greedy",
                "--max-new-tokens", k.params().path("max_new_tokens").asInt()));
        assertArrayEquals(expected, got, k.name() + ": greedy tokens from " + model);
    }

    static void assertSeq2seq(Case k, Path model) throws IOException {
        String src = csv(k.sourceRow0());
        int maxNew = k.params().path("max_new_tokens").asInt();
        int[] greedy = k.ints("generated_greedy");
        if (greedy != null) {
            assertArrayEquals(greedy, ids(args("generate", model, "--prompt-ids", src, "--sampler", "greedy", "--max-new-tokens", maxNew)),
                    k.name() + ": greedy tokens from " + model);
        }
        int beamCases = 0;
        try (SafetensorsFile io = Safetensors.open(k.dir().resolve("io.safetensors"))) {
            for (String n : io.names()) {
                if (!n.startsWith("generated_beam")) continue;
                beamCases++;
                int beams = k.params().path("num_beams").asInt(Integer.parseInt(n.substring("generated_beam".length())));
                List<String> a = new ArrayList<>(List.of(args("generate", model, "--prompt-ids", src, "--beams", beams,
                        "--length-penalty", k.params().path("length_penalty").asDouble(1.0), "--max-new-tokens", maxNew)));
                if (k.params().path("early_stopping").asBoolean(false)) a.add("--early-stopping");
                MainTest.Result r = MainTest.run(a.toArray(String[]::new));
                assertEquals(0, r.code(), r.err());
                int[] got = Arrays.stream(r.out().strip().split("\\s+")).mapToInt(Integer::parseInt).toArray();
                assertArrayEquals(io.ints(n).data(), got, k.name() + ": " + n + " from " + model);
                assertTrue(r.err().contains("beam search: " + beams + " beams, score -"), r.err());
            }
        }
        assertTrue(greedy != null || beamCases > 0, k.name() + " has no reference generation");
    }

    @Test void greedyFromHuggingFaceFoldersMatchesTheReference() throws IOException {
        for (Case k : cases("hf-causal-lm")) assertCausal(k, k.dir());
    }

    @Test void encoderDecoderGreedyAndBeamMatchTheReference() throws IOException {
        for (Case k : cases("hf-seq2seq")) assertSeq2seq(k, k.dir());
    }

    @Test void importThenGenerateGivesTheSameTokens(@TempDir Path tmp) throws IOException {
        List<Case> all = new ArrayList<>(cases("hf-causal-lm"));
        all.addAll(cases("hf-seq2seq"));
        for (Case k : all) {
            Path out = tmp.resolve(k.name());
            MainTest.Result r = MainTest.run("import", k.dir().toString(), out.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("imported") && r.out().contains("parameters"), r.out());
            assertFalse(ModelSource.isHuggingFace(out), "the checkpoint's config.json is Ablate's own");
            JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
            assertEquals(k.dir().toAbsolutePath().normalize().toString(), metrics.path("imported_from").asText());
            if (k.json().path("kind").asText().equals("hf-seq2seq")) {
                JsonNode hf = JSON.readTree(k.dir().resolve("config.json").toFile());
                assertEquals(hf.path("decoder_start_token_id").asInt(), metrics.path("decoder_start_token_id").asInt());
                assertSeq2seq(k, out);
            } else {
                assertCausal(k, out);
            }
        }
        try (Stream<Path> left = Files.list(tmp)) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(all.stream().map(Case::name).sorted().toList(), names, "only the checkpoints, no partial folders");
        }
    }

    @Test void aShardedFolderGivesTheSameTokens(@TempDir Path tmp) throws IOException {
        Case k = cases("hf-causal-lm").getFirst();
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(k.dir().resolve("config.json"), dir.resolve("config.json"));
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (SafetensorsFile whole = Safetensors.open(k.dir().resolve("model.safetensors"))) {
            List<String> names = new ArrayList<>(whole.names());
            int half = names.size() / 2;
            for (int s = 0; s < 2; s++) {
                String shard = "model-0000" + (s + 1) + "-of-00002.safetensors";
                Map<String, Tensor> part = new LinkedHashMap<>();
                for (String n : s == 0 ? names.subList(0, half) : names.subList(half, names.size())) {
                    part.put(n, whole.tensor(n));
                    weightMap.put(n, shard);
                }
                Safetensors.write(dir.resolve(shard), part, Map.of("format", "pt"));
            }
        }
        JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), Map.of("metadata", Map.of(), "weight_map", weightMap));
        assertCausal(k, dir);
    }

    @Test void aHuggingFaceTokenizerIsUsedAndKeptByImport(@TempDir Path tmp) throws IOException {
        Case k = cases("hf-causal-lm").getFirst();
        Path dir = Files.createDirectories(tmp.resolve("hf"));
        Files.copy(k.dir().resolve("config.json"), dir.resolve("config.json"));
        Files.copy(k.dir().resolve("model.safetensors"), dir.resolve("model.safetensors"));
        var registry = ExportCommandTest.REGISTRY;
        Tokenizer tok = registry.tokenizer("byte-bpe").train("the cat sat on the mat; the dog sat on the log. ".repeat(20),
                registry.params(ComponentKind.TOKENIZER, "byte-bpe", Map.of("vocab_size", 270)));
        Path saved = Files.createDirectories(tmp.resolve("tok"));
        tok.save(saved);
        // The GPT-2 files under the names a Hugging Face folder gives them.
        Files.copy(saved.resolve("encoder.json"), dir.resolve("vocab.json"));
        Files.copy(saved.resolve("vocab.bpe"), dir.resolve("merges.txt"));

        String prompt = "the cat sat";
        MainTest.Result text = MainTest.run("generate", dir.toString(), "--prompt", prompt, "--sampler", "greedy", "--max-new-tokens", "6");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith(prompt) && text.out().strip().length() > prompt.length(), text.out());
        int[] viaText = ids("generate", dir.toString(), "--prompt", prompt, "--ids", "--sampler", "greedy", "--max-new-tokens", "6");
        int[] viaIds = ids("generate", dir.toString(), "--prompt-ids", csv(tok.encode(prompt)), "--sampler", "greedy", "--max-new-tokens", "6");
        assertArrayEquals(viaIds, viaText);
        assertArrayEquals(tok.encode(prompt), Arrays.copyOf(viaText, tok.encode(prompt).length));
        // Ids past the tokenizer's 270 (the model has more) print as [id N], the rest as their text.
        StringBuilder expected = new StringBuilder(prompt);
        for (int i = tok.encode(prompt).length; i < viaText.length; i++) {
            int id = viaText[i];
            expected.append(id < tok.vocabSize() ? tok.decode(new int[] {id}, true) : "[id " + id + "]");
        }
        assertEquals(expected.toString().strip(), text.out().strip());

        Path ckpt = tmp.resolve("ckpt");
        MainTest.Result imp = MainTest.run("import", dir.toString(), ckpt.toString());
        assertEquals(0, imp.code(), imp.err());
        assertTrue(imp.out().contains("tokenizer byte-bpe"), imp.out());
        assertTrue(Files.isDirectory(ckpt.resolve("tokenizer")));
        MainTest.Result again = MainTest.run("generate", ckpt.toString(), "--prompt", prompt, "--sampler", "greedy", "--max-new-tokens", "6");
        assertEquals(0, again.code(), again.err());
        assertEquals(text.out(), again.out());

        // Round trip: export the imported checkpoint, generate from the export.
        Path back = tmp.resolve("back");
        assertEquals(0, MainTest.run("export", ckpt.toString(), back.toString()).code());
        assertEquals(text.out(), MainTest.run("generate", back.toString(), "--prompt", prompt, "--sampler", "greedy", "--max-new-tokens", "6").out());
    }

    @Test void beamsWithAStochasticSamplerIsRefused() throws IOException {
        Path dir = cases("hf-seq2seq").getFirst().dir();
        MainTest.Result r = MainTest.run("generate", dir.toString(), "--prompt-ids", "5,6,7", "--beams", "4", "--sampler", "top-k:k=5");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--beams 4") && r.err().contains("cannot be combined with --sampler top-k"), r.err());
        assertEquals("", r.out());

        MainTest.Result lp = MainTest.run("generate", dir.toString(), "--prompt-ids", "5,6,7", "--length-penalty", "0.5");
        assertEquals(1, lp.code());
        assertTrue(lp.err().contains("--length-penalty applies to beam search; add --beams N"), lp.err());

        MainTest.Result text = MainTest.run("generate", dir.toString(), "--prompt", "hello", "--sampler", "greedy");
        assertEquals(1, text.code());
        assertTrue(text.err().contains("no tokenizer") && text.err().contains("--prompt-ids"), text.err());
    }

    @Test void importErrorsNameTheFileAndField(@TempDir Path tmp) throws IOException {
        Path t5 = Files.createDirectories(tmp.resolve("t5"));
        Files.writeString(t5.resolve("config.json"), "{\"model_type\": \"t5\", \"d_model\": 8}");
        MainTest.Result r = MainTest.run("import", t5.toString(), tmp.resolve("out").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(t5.resolve("config.json").toString()) && r.err().contains("model_type \"t5\""), r.err());

        Path plain = Files.createDirectories(tmp.resolve("plain"));
        Files.writeString(plain.resolve("config.json"), "{\"architecture\": \"decoder-only\"}");
        MainTest.Result p = MainTest.run("import", plain.toString(), tmp.resolve("out").toString());
        assertEquals(1, p.code());
        assertTrue(p.err().contains(plain.resolve("config.json").toString()) && p.err().contains("field model_type is missing"), p.err());

        Path badTok = Files.createDirectories(tmp.resolve("badtok"));
        Case k = cases("hf-causal-lm").getFirst();
        Files.copy(k.dir().resolve("config.json"), badTok.resolve("config.json"));
        Files.copy(k.dir().resolve("model.safetensors"), badTok.resolve("model.safetensors"));
        Files.writeString(badTok.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\"}}");
        MainTest.Result b = MainTest.run("import", badTok.toString(), tmp.resolve("out").toString());
        assertEquals(1, b.code());
        assertTrue(b.err().contains(badTok.resolve("tokenizer.json").toString()) && b.err().contains("field model.type is \"Unigram\""), b.err());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written on failure");
        Files.writeString(badTok.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}, \"decoder\": {\"type\": \"Sequence\"}}");
        MainTest.Result sp = MainTest.run("import", badTok.toString(), tmp.resolve("out").toString());
        assertEquals(1, sp.code());
        assertTrue(sp.err().contains(badTok.resolve("tokenizer.json").toString()) && sp.err().contains("field decoder.type is \"Sequence\""), sp.err());
        MainTest.Result without = MainTest.run("import", badTok.toString(), tmp.resolve("out").toString(), "--without-tokenizer");
        assertEquals(0, without.code(), without.err());
        assertTrue(without.out().contains("no tokenizer"), without.out());
    }

    /** A run folder generates as its spec's generation section says, unless the command line says otherwise. */
    @Test
    void aRunFolderGeneratesAsItsSpecSays(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, "extends: " + Path.of("../examples/specs/gpt-char.yaml").toAbsolutePath() + "\n"
                + "model: {layers: 1, d_model: 16, heads: 2, d_ff: 32, max_positions: 64}\n"
                + "run: {steps: 2, batch_size: 2, context: 16, eval_every: 2, eval_batches: 1, checkpoint_every: 2}\n"
                + "generation: {strategy: greedy, max_new_tokens: 5}\n");
        Path run = dir.resolve("run");
        MainTest.Result trained = MainTest.run("train", spec.toString(), "--out", run.toString());
        assertEquals(0, trained.code(), trained.err());
        MainTest.Result fromSpec = MainTest.run("generate", run.toString(), "--prompt", "And God", "--ids");
        assertEquals(0, fromSpec.code(), fromSpec.err());
        assertTrue(fromSpec.err().contains("greedy") && fromSpec.err().contains("spec.yaml"), fromSpec.err());
        int promptLength = fromSpec.out().strip().split(" ").length - 5;
        assertTrue(promptLength > 0, "five new tokens after the prompt: " + fromSpec.out());
        MainTest.Result explicit = MainTest.run("generate", run.toString(), "--prompt", "And God", "--ids", "--sampler", "greedy", "--max-new-tokens", "5");
        assertEquals(explicit.out(), fromSpec.out());
        assertFalse(explicit.err().contains("spec.yaml"), "the command line overrides the spec: " + explicit.err());
        // Characters the tokenizer never saw, and more new tokens than positions, are said, not silently changed.
        MainTest.Result noted = MainTest.run("generate", run.toString(), "--prompt", "And God \u00c6", "--ids", "--max-new-tokens", "100",
                "--window", "0");
        assertEquals(0, noted.code(), noted.err());
        assertTrue(noted.err().contains("does not know \"\u00c6\""), noted.err());
        assertTrue(noted.err().contains("at most 56 of the 100 new tokens"), noted.err());
        assertEquals(9 + 56, noted.out().strip().split(" ").length, "stops at the position limit");
        MainTest.Result tooLong = MainTest.run("generate", run.toString(), "--prompt", "And God said ".repeat(6), "--window", "0");
        assertEquals(1, tooLong.code());
        assertTrue(tooLong.err().contains("the prompt has 78 tokens, more than max_positions 64"), tooLong.err());
        // By default a run folder's model reads at most its run.context (16) tokens, so the text can outrun max_positions.
        MainTest.Result windowed = MainTest.run("generate", run.toString(), "--prompt", "And God said ".repeat(6), "--ids", "--max-new-tokens", "100");
        assertEquals(0, windowed.code(), windowed.err());
        assertTrue(windowed.err().contains("reads at most the last 16 tokens (run.context"), windowed.err());
        assertEquals(78 + 100, windowed.out().strip().split(" ").length, "100 new tokens after the 78-token prompt");
        MainTest.Result badWindow = MainTest.run("generate", run.toString(), "--prompt", "And", "--window", "65");
        assertEquals(1, badWindow.code());
        assertTrue(badWindow.err().contains("--window 65: expected 0 (no window) or 2 to max_positions 64"), badWindow.err());
    }
}
