package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.Batch;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigLoader;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/** {@code ablate eval} on checkpoints without a run spec: the kind follows the model, the output is one JSON object. */
class EvalCommandTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    static final ObjectMapper JSON = new ObjectMapper();

    static Model model(String architecture, String heads, int vocab) {
        String yaml = "architecture: " + architecture + "\n" + """
                layers: 1
                d_model: 16
                heads: 2
                d_ff: 24
                max_positions: 32
                norm: {id: layer-norm, placement: pre}
                attention: {id: multi-head}
                positional: {id: learned}
                feed_forward: {id: mlp, activation: gelu}
                tokenizer: {id: char}
                """ + "output_heads: " + heads + "\nvocab_size: " + vocab + "\n";
        return new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("tiny.yaml", yaml, true), 9, null);
    }

    @Test void languageModelPerplexityIsTheMeanCrossEntropyOfTheFilesWindows(@TempDir Path dir) throws Exception {
        String text = "in the beginning god created the heaven and the earth. ".repeat(4);
        Tokenizer tok = REGISTRY.tokenizer("char").train(text, REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
        Model m = model("decoder-only", "{lm_head: {id: lm}}", tok.vocabSize());
        Checkpoint.save(dir.resolve("lm"), m, tok, Map.of());
        Path data = Files.writeString(dir.resolve("text.txt"), text);
        MainTest.Result r = MainTest.run("eval", dir.resolve("lm").toString(), "--data", data.toString(), "--context", "16", "--batch-size", "3");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out().strip());
        assertEquals("lm", j.get("task").asText());
        // By hand: every non-overlapping window of 16 inputs and their next characters.
        int[] ids = tok.encode(text);
        double sum = 0;
        int n = 0;
        try (NoGrad g = Tensor.noGrad()) {
            for (int s = 0; s + 16 < ids.length; s += 16) {
                int[] in = java.util.Arrays.copyOfRange(ids, s, s + 16), out = java.util.Arrays.copyOfRange(ids, s + 1, s + 17);
                Tensor logits = m.forward(IntTensor.of(in, 1, 16), null, null);
                sum += Tensor.crossEntropy(logits.reshape(16, -1), IntTensor.of(out, 16), Batch.IGNORE, 0f).item() * 16;
                n += 16;
            }
        }
        assertEquals(n, j.get("tokens").asInt());
        assertEquals(Math.exp(sum / n), j.get("perplexity").asDouble(), 1e-4 * Math.exp(sum / n));
    }

    @Test void classifierReportsAccuracyMacroF1AndTheMajorityBaseline(@TempDir Path dir) throws Exception {
        Tokenizer tok = REGISTRY.tokenizer("char").train("abc xyz", REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
        Model m = model("encoder-only", "{classifier: {id: classifier, labels: 2}}", tok.vocabSize());
        Checkpoint.save(dir.resolve("cls"), m, tok, Map.of());
        Path data = Files.writeString(dir.resolve("d.tsv"), "no\tabc\nyes\txyz\nno\tcab\n");
        MainTest.Result r = MainTest.run("eval", dir.resolve("cls").toString(), "--data", data.toString(), "--labels", "no,yes");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out().strip());
        assertEquals("classification", j.get("task").asText());
        assertEquals(3, j.get("examples").asInt());
        double acc = j.get("accuracy").asDouble();
        assertTrue(acc == 0 || acc == 1 / 3.0 || acc == 2 / 3.0 || acc == 1, "accuracy " + acc);
        assertTrue(j.has("macro_f1") && j.get("per_class").has("yes"), r.out());
        assertEquals("no", j.get("majority_class").asText());
        assertEquals(2 / 3.0, j.get("majority_accuracy").asDouble(), 1e-12);

        MainTest.Result unnamed = MainTest.run("eval", dir.resolve("cls").toString(), "--data", data.toString());
        assertEquals(1, unnamed.code());
        assertTrue(unnamed.err().contains("--labels") && unnamed.err().strip().lines().count() == 1, unnamed.err());

        MainTest.Result bad = MainTest.run("eval", dir.resolve("cls").toString(), "--data", data.toString(), "--labels", "no,maybe");
        assertEquals(1, bad.code());
        assertEquals("ablate eval: " + data + ":2: unknown label \"yes\"; data.labels lists no, maybe", bad.err().strip());
    }
}
