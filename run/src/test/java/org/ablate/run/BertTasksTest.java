package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.Batch;
import org.ablate.api.ComponentKind;
import org.ablate.api.Loss;
import org.ablate.api.Objective;
import org.ablate.models.assembly.Model;
import org.ablate.models.config.ConfigException;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/**
 * BERT-style runs end to end: masked-LM pretraining of an encoder, classification fine-tuning from it with
 * frozen lower layers, evaluation of both, padding that changes nothing, and the one-line refusals.
 */
class BertTasksTest {
    @TempDir Path dir;
    final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    static final String ENCODER = """
            model:
              architecture: encoder-only
              layers: 2
              d_model: 16
              heads: 2
              d_ff: 32
              max_positions: 48
              dropout: 0.0
              type_vocab_size: 2
              block: {id: pre-norm}
              norm: {id: layer-norm}
              attention: {id: multi-head}
              positional: {id: learned}
              feed_forward: {id: mlp, activation: gelu}
            """;

    static final String MLM = ENCODER + """
              output_heads: {mlm_head: {id: masked-lm}}
            tokenizer: {id: char, mask_token: true}
            data: {id: text-lines, path: lines.txt, held_out: 0.25, overflow: truncate}
            objective: {id: masked-lm}
            optim: {lr: 1.0e-2}
            schedule: {warmup: 3}
            run: {steps: 40, batch_size: 8, context: 32, seed: 3, eval_every: 0, eval_batches: 100, checkpoint_every: 0}
            """;

    static final String CLASSIFY = ENCODER + """
              output_heads: {classifier: {id: classifier, labels: 2, pooling: mean}}
            tokenizer: {id: char, mask_token: true}
            data: {id: labelled-text, path: labelled.tsv, labels: "calm,loud", held_out: 0.25}
            objective: {id: classification}
            optim: {lr: 1.0e-2, freeze: ["embed_*", "encoder.layers.0.*"]}
            schedule: {warmup: 3}
            run: {steps: 40, batch_size: 8, context: 48, seed: 3, eval_every: 0, eval_batches: 100, checkpoint_every: 0}
            """;

    /** Verse-like lines, and labelled lines whose class shows in the words (shouting or not). */
    void writeData() throws IOException {
        String[] words = {"light", "waters", "firmament", "evening", "morning", "seed", "earth", "heaven", "beast", "herb"};
        SplittableRandom r = new SplittableRandom(1);
        List<String> lines = new ArrayList<>(), labelled = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            StringBuilder s = new StringBuilder("and god made the");
            for (int k = 0; k < 3; k++) s.append(' ').append(words[r.nextInt(words.length)]);
            lines.add(s.toString());
            boolean loud = r.nextBoolean();
            String t = "the " + words[r.nextInt(words.length)] + " and the " + words[r.nextInt(words.length)];
            labelled.add((loud ? "loud\t" + t.toUpperCase() + "!!" : "calm\t" + t + "."));
        }
        Files.write(dir.resolve("lines.txt"), lines);
        Files.write(dir.resolve("labelled.tsv"), labelled);
    }

    RunSpec spec(String text, String... overrides) throws IOException {
        writeData();
        Path f = dir.resolve("spec-" + Integer.toHexString(text.hashCode()) + ".yaml");
        Files.writeString(f, text);
        return new SpecLoader(TestSpecs.REGISTRY).load(f, List.of(overrides));
    }

    TrainingRun.Outcome train(RunSpec spec, String out, Path from) throws IOException {
        return new TrainingRun(TestSpecs.REGISTRY, quiet).run(spec, new TrainingRun.Options(dir.resolve(out), from, false, false, List.of()));
    }

    @Test void maskedLmPretrainsThenAClassifierFineTunesWithFrozenLowerLayersAndBothEvaluate() throws IOException {
        TrainingRun.Outcome mlm = train(spec(MLM), "mlm", null);
        TrainResult r = mlm.result();
        assertTrue(r.finalHeldOutLoss() < r.initialHeldOutLoss() - 0.5, "masked LM learns: " + r.initialHeldOutLoss() + " -> " + r.finalHeldOutLoss());

        // Evaluating the held-out lines with the run's seed redraws the same masks: the run's own final figure.
        List<String> lines = Files.readAllLines(dir.resolve("lines.txt"));
        Path held = Files.write(dir.resolve("held.txt"), lines.subList(120, 160));
        Map<String, Object> ev = new Evaluation(TestSpecs.REGISTRY).evaluateRun(dir.resolve("mlm"), held, Evaluation.Settings.FROM_SPEC);
        assertEquals("masked-lm", ev.get("task"));
        assertEquals(r.finalHeldOutLoss(), (Double) ev.get("loss"), 1e-6);
        double acc = (Double) ev.get("masked_token_accuracy");
        assertTrue(acc > 0.2 && acc <= 1, "masked-token accuracy " + acc);

        RunSpec cls = spec(CLASSIFY);
        TrainingRun.Outcome fine = train(cls, "cls", dir.resolve("mlm"));
        Map<String, Tensor> pre = mlm.model().parameters(), after = fine.model().parameters();
        for (var e : after.entrySet()) {
            if (e.getKey().startsWith("embed_") || e.getKey().startsWith("encoder.layers.0.")) {
                assertArrayEquals(pre.get(e.getKey()).toArray(), e.getValue().toArray(), e.getKey() + " is frozen at its pretrained value");
            }
        }
        String top = "encoder.layers.1.self_attn.q_proj.weight";
        assertTrue(!java.util.Arrays.equals(pre.get(top).toArray(), after.get(top).toArray()), "the top layer trains");
        assertTrue(after.containsKey("classifier.out.weight") && !pre.containsKey("classifier.out.weight"), "a new classifier head");

        Path test = dir.resolve("test.tsv");
        Files.write(test, List.of("loud\tTHE EARTH AND THE SEED!!", "calm\tthe earth and the seed.", "loud\tTHE HERB AND THE BEAST!!",
                "calm\tthe light and the waters.", "calm\tthe beast and the herb."));
        Map<String, Object> ce = new Evaluation(TestSpecs.REGISTRY).evaluateRun(dir.resolve("cls"), test, Evaluation.Settings.FROM_SPEC);
        assertEquals("classification", ce.get("task"));
        assertEquals(5, ce.get("examples"));
        assertEquals(1.0, (Double) ce.get("accuracy"), 1e-12, "the classes show in every character: " + ce);
        assertEquals(1.0, (Double) ce.get("macro_f1"), 1e-12);
        assertEquals("calm", ce.get("majority_class"));
        assertEquals(0.6, (Double) ce.get("majority_accuracy"), 1e-12);
        assertEquals(0.375, (Double) ce.get("majority_macro_f1"), 1e-12, "F1 0.75 for calm, 0 for loud");
    }

    @Test void paddingChangesNoLogitAndNoLoss() throws IOException {
        RunSpec s = spec(CLASSIFY, "model.output_heads.mlm_head={id: masked-lm}", "optim.freeze=[]");
        Model m = new org.ablate.models.assembly.ModelBuilder(TestSpecs.REGISTRY).build(s.model().withVocabSize(40), 5, null);
        int[] shortRow = {2, 7, 9, 11, 3}, longRow = {2, 8, 8, 12, 13, 14, 15, 16, 3};
        Batch alone = batch(List.of(shortRow), 0), padded = batch(List.of(shortRow, longRow), 9);
        try (NoGrad g = Tensor.noGrad()) {
            Tensor a = m.head("classifier").forward(m.encode(alone.get("input_ids"), null, alone.get("attention_mask")), alone.get("attention_mask"));
            Tensor p = m.head("classifier").forward(m.encode(padded.get("input_ids"), null, padded.get("attention_mask")), padded.get("attention_mask"));
            for (int c = 0; c < 2; c++) assertEquals(a.get(0, c), p.get(0, c), 1e-5, "class " + c + " of the padded row");
        }
        // Masked LM over a padded batch of one row equals it over the row alone, with the same draws.
        var reg = TestSpecs.REGISTRY;
        var tok = reg.tokenizer("char").train("abcdefghijklmnopqrstuvwxyz0123456789", reg.params(ComponentKind.TOKENIZER, "char", Map.of("mask_token", true)));
        Objective mlm = reg.objective("masked-lm").create(reg.params(ComponentKind.OBJECTIVE, "masked-lm", Map.of("probability", 0.5)), Evaluation.tokenizerOnly(tok));
        Batch tight = batch(List.of(longRow), 9), loose = batch(List.of(longRow), 16);
        for (int seed = 0; seed < 5; seed++) {
            try (NoGrad g = Tensor.noGrad()) {
                Loss a = mlm.loss(m, tight, new SplittableRandom(seed)), b = mlm.loss(m, loose, new SplittableRandom(seed));
                assertEquals(a.count(), b.count(), "pads are never chosen");
                if (a.count() > 0) assertEquals(a.value().item(), b.value().item(), 1e-5);
            }
        }
    }

    static Batch batch(List<int[]> rows, int length) {
        int len = Math.max(length, rows.stream().mapToInt(r -> r.length).max().orElse(0));
        int[] ids = new int[rows.size() * len], mask = new int[rows.size() * len];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, ids, i * len, rows.get(i).length);
            for (int k = 0; k < rows.get(i).length; k++) mask[i * len + k] = 1;
        }
        return new Batch(Map.of("input_ids", IntTensor.of(ids, rows.size(), len), "attention_mask", IntTensor.of(mask, rows.size(), len)), ids.length);
    }

    @Test void oneLineRefusalsNameTheSpecPathOrTheFileLine() throws IOException {
        String decoder = MLM.replace("architecture: encoder-only", "architecture: decoder-only").replace("      type_vocab_size: 2\n", "");
        var e = assertThrows(ConfigException.class, () -> train(spec(decoder), "dec", null));
        assertTrue(e.getMessage().contains(": objective.id: \"masked-lm\" trains encoder-only models; this model is decoder-only"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());

        var noLabels = assertThrows(ConfigException.class, () -> spec(CLASSIFY.replace("labels: \"calm,loud\", ", "")));
        assertTrue(noLabels.getMessage().contains(": data: data source \"labelled-text\": parameter \"labels\" is required"), noLabels.getMessage());

        var noMask = assertThrows(ConfigException.class, () -> train(spec(MLM.replace("mask_token: true", "mask_token: false")), "nomask", null));
        assertTrue(noMask.getMessage().contains(": objective: ") && noMask.getMessage().contains("mask token"), noMask.getMessage());

        Files.writeString(dir.resolve("bad.tsv"), "calm\tfine\nangry\tnot a class\n");
        RunSpec bad = spec(CLASSIFY, "data.path=bad.tsv");
        var line = assertThrows(Exception.class, () -> train(bad, "bad", null));
        assertTrue(line.getMessage().endsWith("bad.tsv:2: unknown label \"angry\"; data.labels lists calm, loud"), line.getMessage());

        var tooLong = assertThrows(Exception.class, () -> train(spec(MLM.replace("overflow: truncate", "overflow: refuse"), "run.context=12"), "long", null));
        assertTrue(tooLong.getMessage().contains("lines.txt:1: ") && tooLong.getMessage().contains("more than run.context 12"), tooLong.getMessage());
    }
}
