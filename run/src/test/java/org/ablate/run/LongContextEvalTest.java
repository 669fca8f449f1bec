package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.models.assembly.Model;
import org.ablate.models.config.ConfigException;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/** The held-out loss at longer contexts ({@code run.eval_contexts}) against a loss computed here window by window. */
class LongContextEvalTest {
    @TempDir Path dir;
    final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    // The test spec's held-out span: eval_batches 2 × batch_size 4 × context 16 = 128 tokens.
    static final String[] LONG = {"model.positional.id=alibi", "model.max_positions=64", "run.eval_contexts=[64, 32]", "run.steps=3",
            "run.eval_every=0", "run.checkpoint_every=0"};

    TrainingRun.Outcome train(Path out, String... overrides) throws IOException {
        RunSpec spec = new SpecLoader(TestSpecs.REGISTRY).load(TestSpecs.write(dir), List.of(overrides));
        return new TrainingRun(TestSpecs.REGISTRY, quiet).run(spec, new TrainingRun.Options(out, null, false, false, List.of()));
    }

    @Test void scoresTheSameHeldOutTokensInWindowsOfEachContextAndRepeats() throws IOException {
        TrainingRun.Outcome o = train(dir.resolve("a"), LONG);
        Map<Integer, Double> at = o.result().heldOutAtContext();
        assertEquals(java.util.Set.of(16, 32, 64), at.keySet(), "the training context and the asked ones");
        assertEquals(o.result().finalHeldOutLoss(), at.get(16), 0.0, "1x is the usual evaluation");

        // By hand: the held-out tail as the text-windows source cuts it, its first 128 tokens in windows of L, every position scored.
        String text = Files.readString(dir.resolve("text.txt"));
        int[] held = o.tokenizer().encode(text.substring((int) Math.round(text.length() * 0.8)));
        for (int context : List.of(16, 32, 64)) {
            double expected = windowLoss(o.model(), held, 128, context);
            assertEquals(expected, at.get(context), 2e-5, "context " + context);
        }
        assertTrue(Math.abs(at.get(64) - at.get(16)) > 1e-6, "other windows, another loss");

        // Logged: the last evaluation's line and the model's metrics.
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve("a/metrics.jsonl"));
        JsonNode last = json.readTree(lines.getLast());
        assertEquals(at.get(64), last.path("held_out_loss@64").asDouble(), 0.0);
        assertEquals(at.get(32), last.path("held_out_loss@32").asDouble(), 0.0);
        assertEquals(at.get(32), json.readTree(dir.resolve("a/model/metrics.json").toFile()).path("held_out_loss_by_context").path("32").asDouble(), 0.0);
        assertFalse(json.readTree(lines.getFirst()).has("held_out_loss@64"), "only the last evaluation scores other contexts");

        TrainingRun.Outcome again = train(dir.resolve("b"), LONG);
        assertEquals(at, again.result().heldOutAtContext(), "the same spec gives bit-identical losses");

        // ablate eval RUN --data FILE --contexts ...: the saved model scored the same way after the fact.
        Evaluation evaluation = new Evaluation(TestSpecs.REGISTRY);
        Map<String, Object> later = evaluation.heldOutAtContexts(dir.resolve("a"), dir.resolve("text.txt"), List.of(64, 16, 32));
        @SuppressWarnings("unchecked") Map<String, Double> byContext = (Map<String, Double>) later.get("loss_by_context");
        assertEquals(List.of("16", "32", "64"), List.copyOf(byContext.keySet()));
        for (int c : List.of(16, 32, 64)) assertEquals(at.get(c), byContext.get(Integer.toString(c)), 1e-12, "context " + c);
        String m = assertThrows(IllegalArgumentException.class, () -> evaluation.heldOutAtContexts(dir.resolve("a"), dir.resolve("text.txt"), List.of(128)))
                .getMessage();
        assertTrue(m.contains("--contexts: 128") && m.contains("max_positions 64"), m);
    }

    /** Mean cross-entropy (nats) over all positions of the first {@code span} tokens cut into non-overlapping windows of {@code context}. */
    private static double windowLoss(Model model, int[] held, int span, int context) {
        double sum = 0;
        try (NoGrad g = Tensor.noGrad()) {
            for (int start = 0; start < span; start += context) {
                int[] ids = java.util.Arrays.copyOfRange(held, start, start + context);
                float[] logits = model.forward(IntTensor.of(ids, 1, context), null, null).toArray();
                int v = logits.length / context;
                for (int p = 0; p < context; p++) {
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int k = 0; k < v; k++) max = Math.max(max, logits[p * v + k]);
                    for (int k = 0; k < v; k++) z += Math.exp(logits[p * v + k] - max);
                    sum += Math.log(z) + max - logits[p * v + held[start + p + 1]];
                }
            }
        }
        return sum / span;
    }

    @Test void aContextPastThePositionTableOrNotDividingTheSpanIsRefusedWithItsPath() throws IOException {
        Path spec = TestSpecs.write(dir);
        SpecLoader loader = new SpecLoader(TestSpecs.REGISTRY);
        String m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("model.positional.id=learned", "run.eval_contexts=[32, 64]"))).getMessage();
        assertTrue(m.contains("run.eval_contexts.1") && m.contains("more than the model's max_positions 32") && !m.contains("\n"), m);
        m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("run.eval_contexts=[24]"))).getMessage();
        assertTrue(m.contains("run.eval_contexts.0") && m.contains("does not divide") && m.contains("128 tokens"), m);
        m = assertThrows(ConfigException.class, () -> loader.load(spec, List.of("run.eval_contexts=[32, 32]"))).getMessage();
        assertTrue(m.contains("run.eval_contexts.1") && m.contains("repeats"), m);

        // A held-out text shorter than the span is refused before the first step, not after the last.
        String shortText = assertThrows(IllegalArgumentException.class, () -> train(dir.resolve("short"), "model.max_positions=64",
                "run.eval_contexts=[64]", "run.eval_batches=40")).getMessage();
        assertTrue(shortText.contains("fewer than the 2561 tokens") && shortText.contains("lower run.eval_batches"), shortText);
        assertFalse(Files.exists(dir.resolve("short/metrics.jsonl")), "no step ran");

        // Unset, the field is not part of the resolved spec: the identity of every earlier spec stays as it was.
        RunSpec plain = loader.load(spec, List.of()), empty = loader.load(spec, List.of("run.eval_contexts=[]"));
        assertEquals(plain.hash(), empty.hash());
        assertFalse(plain.resolved().path("run").has("eval_contexts"));
        assertEquals(List.of(16, 32), loader.load(spec, List.of("run.eval_contexts=[32, 16]")).run().evalContexts(), "ascending");
    }
}
