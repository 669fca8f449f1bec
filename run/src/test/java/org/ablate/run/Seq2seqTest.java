package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.ablate.api.Batch;
import org.ablate.api.ComponentKind;
import org.ablate.api.DataSource;
import org.ablate.api.Objective;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigLoader;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sequence-to-sequence training end to end: the parallel-text source's batches and errors, the seq2seq
 * objective's loss against a per-pair computation by hand (so padding on either side changes nothing),
 * exactly zero gradient reaching padding, and a run that reports BLEU beside the copy baseline.
 */
class Seq2seqTest {
    static final ComponentRegistry REGISTRY = TestSpecs.REGISTRY;
    static final String PAIRS = "the light\tla luz\nand the earth was\ty la tierra estaba\nwaters\tlas aguas\n"
            + "the day\tel día\nthe night\tla noche\n";
    @TempDir Path dir;
    private final PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());

    private Tokenizer tokenizer(String text) {
        return REGISTRY.tokenizer("char").train(text, REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
    }

    private DataSource open(Path file, Tokenizer tok, int context, Map<String, Object> extra) throws IOException {
        Map<String, Object> raw = new HashMap<>(Map.of("path", file.toString(), "held_out", 0.4));
        raw.putAll(extra);
        return REGISTRY.data("parallel-text").open(REGISTRY.params(ComponentKind.DATA, "parallel-text", raw), dir, tok, context);
    }

    private static Model model(int vocab) {
        String yaml = """
                architecture: encoder-decoder
                encoder_layers: 2
                decoder_layers: 2
                d_model: 16
                heads: 2
                d_ff: 32
                vocab_size: %d
                max_positions: 40
                block: {id: pre-norm}
                norm: {id: layer-norm}
                attention: {id: multi-head}
                positional: {id: sinusoidal}
                feed_forward: {id: mlp, activation: gelu}
                output_heads: {lm_head: {id: lm, tied: false}}
                """.formatted(vocab);
        Model m = new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("s2s.yaml", yaml, true), 5, null);
        for (Tensor p : m.parameters().values()) { // weights far from the initial 0.02 so that the distributions are not flat
            float[] d = p.data();
            for (int i = 0; i < p.numel(); i++) d[p.offset() + i] *= 20;
        }
        return m;
    }

    private static Objective objective(double smoothing) {
        return REGISTRY.objective("seq2seq").create(REGISTRY.params(ComponentKind.OBJECTIVE, "seq2seq", Map.of("label_smoothing", smoothing)));
    }

    private static int[] row(IntTensor t, int r) {
        int len = t.size(1);
        int[] out = new int[len];
        System.arraycopy(t.data(), r * len, out, 0, len);
        return out;
    }

    @Test void batchesArePaddedWithTeacherForcingInputs() throws IOException {
        Path f = Files.writeString(dir.resolve("p.tsv"), PAIRS);
        Tokenizer tok = tokenizer(PAIRS.replace("\t", "\n"));
        Batch b = open(f, tok, 30, Map.of()).heldOutBatch(0, 8, 30);
        int eos = tok.specialTokens().eos(), bos = tok.specialTokens().bos(), pad = tok.specialTokens().pad();
        assertEquals(2, b.get("input_ids").size(0), "the last 40 % of 5 pairs are held out");
        int[] src0 = row(b.get("input_ids"), 0), lab0 = row(b.get("labels"), 0), dec0 = row(b.get("decoder_input_ids"), 0);
        int[] d = tok.encode("the day"), n = tok.encode("el día");
        int ls = "the night".length() + 1, lt = "la noche".length() + 1;
        assertEquals(ls, src0.length, "padded to the longest source of the batch, EOS included");
        for (int i = 0; i < d.length; i++) assertEquals(d[i], src0[i]);
        assertEquals(eos, src0[d.length]);
        assertEquals(pad, src0[ls - 1]);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, row(b.get("attention_mask"), 0));
        assertEquals(lt, lab0.length);
        for (int i = 0; i < n.length; i++) assertEquals(n[i], lab0[i]);
        assertEquals(eos, lab0[n.length]);
        assertEquals(Batch.IGNORE, lab0[lt - 1], "padding is never a label");
        assertEquals(bos, dec0[0], "the decoder starts from BOS");
        for (int i = 1; i <= n.length; i++) assertEquals(lab0[i - 1], dec0[i], "decoder input = labels shifted right");
        assertEquals(pad, dec0[lt - 1]);
        assertEquals(n.length + 1, java.util.Arrays.stream(row(b.get("decoder_attention_mask"), 0)).sum());
        assertEquals(null, open(f, tok, 30, Map.of()).heldOutBatch(1, 8, 30));
    }

    /** The padded batch's loss is the mean over every real target token of -log p, each pair computed alone. */
    @Test void lossEqualsAPerPairComputationWithAndWithoutLabelSmoothing() throws IOException {
        Path f = Files.writeString(dir.resolve("p.tsv"), PAIRS);
        Tokenizer tok = tokenizer(PAIRS.replace("\t", "\n"));
        DataSource data = open(f, tok, 30, Map.of("held_out", 0.2));
        Batch b = data.trainBatch(3, 30, new SplittableRandom(1));
        Model m = model(tok.vocabSize());
        for (double eps : new double[] {0.0, 0.1}) {
            double expected = 0;
            long count = 0;
            int rows = b.get("input_ids").size(0);
            for (int r = 0; r < rows; r++) {
                int[] src = trim(row(b.get("input_ids"), r), row(b.get("attention_mask"), r));
                int[] dec = trim(row(b.get("decoder_input_ids"), r), row(b.get("decoder_attention_mask"), r));
                int[] lab = java.util.Arrays.stream(row(b.get("labels"), r)).filter(y -> y != Batch.IGNORE).toArray();
                try (var g = Tensor.noGrad()) {
                    Tensor memory = m.encode(IntTensor.of(src, 1, src.length), null, null);
                    float[] logits = m.logits(m.decode(IntTensor.of(dec, 1, dec.length), null, memory, null)).contiguous().toArray();
                    int v = tok.vocabSize();
                    for (int t = 0; t < lab.length; t++) {
                        double max = Double.NEGATIVE_INFINITY, z = 0, meanNeg = 0;
                        for (int c = 0; c < v; c++) max = Math.max(max, logits[t * v + c]);
                        for (int c = 0; c < v; c++) z += Math.exp(logits[t * v + c] - max);
                        double logZ = max + Math.log(z);
                        for (int c = 0; c < v; c++) meanNeg += (logZ - logits[t * v + c]) / v;
                        expected += (1 - eps) * (logZ - logits[t * v + lab[t]]) + eps * meanNeg;
                        count++;
                    }
                }
            }
            expected /= count;
            var loss = objective(eps).loss(m, b, new SplittableRandom(0));
            assertEquals(count, loss.count());
            assertEquals(expected, loss.value().item(), 2e-5 * Math.abs(expected), "label smoothing " + eps);
        }
    }

    private static int[] trim(int[] ids, int[] mask) {
        return java.util.Arrays.copyOf(ids, (int) java.util.Arrays.stream(mask).filter(x -> x != 0).count());
    }

    /** Padding on either side reaches no gradient: the pad embedding row (used nowhere else, head untied) gets exactly 0. */
    @Test void paddingPositionsGetExactlyZeroGradientAndDoNotChangeTheLoss() throws IOException {
        Path f = Files.writeString(dir.resolve("p.tsv"), PAIRS);
        Tokenizer tok = tokenizer(PAIRS.replace("\t", "\n"));
        Batch b = open(f, tok, 30, Map.of("held_out", 0.2)).trainBatch(4, 30, new SplittableRandom(3));
        int pad = tok.specialTokens().pad();
        assertTrue(java.util.Arrays.stream(b.get("attention_mask").data()).anyMatch(x -> x == 0), "the batch has source padding");
        assertTrue(java.util.Arrays.stream(b.get("decoder_attention_mask").data()).anyMatch(x -> x == 0), "the batch has target padding");
        Model m = model(tok.vocabSize());
        Tensor loss = objective(0.1).loss(m, b, new SplittableRandom(0)).value();
        loss.backward();
        Tensor grad = m.parameters().get("embed_tokens.weight").grad();
        int e = grad.size(1);
        float[] g = grad.contiguous().toArray();
        for (int j = 0; j < e; j++) assertEquals(0f, g[pad * e + j], "pad row, column " + j);
        int real = b.get("input_ids").data()[0];
        double norm = 0;
        for (int j = 0; j < e; j++) norm += Math.abs(g[real * e + j]);
        assertTrue(norm > 1e-6, "a real token's row has a gradient");

        // Other ids where the masks are 0 give the same loss.
        Map<String, IntTensor> f2 = new HashMap<>(b.fields());
        f2.put("input_ids", scramble(b.get("input_ids"), b.get("attention_mask"), tok.vocabSize()));
        f2.put("decoder_input_ids", scramble(b.get("decoder_input_ids"), b.get("decoder_attention_mask"), tok.vocabSize()));
        assertNotEquals(java.util.Arrays.toString(b.get("input_ids").data()), java.util.Arrays.toString(f2.get("input_ids").data()));
        try (var ng = Tensor.noGrad()) {
            double again = objective(0.1).loss(m, new Batch(f2, b.tokens()), new SplittableRandom(0)).value().item();
            assertEquals(loss.item(), again, 1e-6 * Math.abs(again));
        }
    }

    private static IntTensor scramble(IntTensor ids, IntTensor mask, int vocab) {
        int[] out = ids.data().clone(), msk = mask.data();
        for (int i = 0; i < out.length; i++) if (msk[i] == 0) out[i] = 4 + (i * 7) % (vocab - 4);
        return IntTensor.of(out, ids.shape());
    }

    @Test void badParallelFilesAreRefusedNamingTheLine() throws IOException {
        Tokenizer tok = tokenizer(PAIRS.replace("\t", "\n"));
        Path a = Files.writeString(dir.resolve("a.tsv"), "the light\tla luz\nthe day\t \nx\ty\n");
        assertEquals(a + ":2: the target side (after the tab) is empty", assertThrows(IOException.class, () -> open(a, tok, 30, Map.of())).getMessage());
        Path b = Files.writeString(dir.resolve("b.tsv"), "the light\tla luz\nthe day el día\n");
        assertEquals(b + ":2: no tab; expected source<TAB>target", assertThrows(IOException.class, () -> open(b, tok, 30, Map.of())).getMessage());
        Path c = Files.writeString(dir.resolve("c.tsv"), "\tla luz\n");
        assertEquals(c + ":1: the source side (before the tab) is empty", assertThrows(IOException.class, () -> open(c, tok, 30, Map.of())).getMessage());
        Path d = Files.writeString(dir.resolve("d.tsv"), "a\tb\tc\n");
        assertEquals(d + ":1: more than one tab; expected source<TAB>target", assertThrows(IOException.class, () -> open(d, tok, 30, Map.of())).getMessage());
        Path e = Files.writeString(dir.resolve("e.tsv"), PAIRS);
        String m = assertThrows(IOException.class, () -> open(e, tok, 8, Map.of())).getMessage();
        assertTrue(m.startsWith(e + ":1: the source side has 10 tokens with EOS, more than run.context 8"), m);
        Batch t = open(e, tok, 8, Map.of("too_long", "truncate", "held_out", 0.2)).heldOutBatch(0, 4, 8);
        assertEquals(8, t.get("labels").size(1), "cut to run.context");
        assertEquals(tok.specialTokens().eos(), t.get("labels").data()[7], "EOS kept at the end of a cut side");
    }

    @Test void seq2seqOnADecoderOnlyModelIsRefused() throws IOException {
        Path spec = TestSpecs.write(dir);
        RunSpec s = new SpecLoader(REGISTRY).load(spec, List.of("objective={id: seq2seq}", "run.steps=1"));
        String m = assertThrows(IllegalArgumentException.class, () -> new TrainingRun(REGISTRY, quiet).run(s,
                new TrainingRun.Options(dir.resolve("r"), null, false, false, List.of()))).getMessage();
        assertTrue(m.contains("objective \"seq2seq\" trains encoder-decoder models; this model is decoder-only"), m);
    }

    /** A short run on a copy task: the loss falls, and BLEU is reported beside the copy baseline (100 on a copy task). */
    @Test void aRunReportsBleuBesideTheCopyBaseline() throws IOException {
        StringBuilder tsv = new StringBuilder();
        SplittableRandom r = new SplittableRandom(9);
        String[] words = {"a", "b", "ab", "ba", "c", "ca"};
        for (int i = 0; i < 200; i++) {
            String s = String.join(" ", words[r.nextInt(6)], words[r.nextInt(6)], words[r.nextInt(6)], words[r.nextInt(6)]);
            tsv.append(s).append('\t').append(s).append('\n');
        }
        Files.writeString(dir.resolve("copy.tsv"), tsv);
        Path spec = Files.writeString(dir.resolve("s2s.yaml"), """
                model:
                  architecture: encoder-decoder
                  encoder_layers: 1
                  decoder_layers: 1
                  d_model: 32
                  heads: 2
                  d_ff: 64
                  max_positions: 16
                  block: {id: pre-norm}
                  norm: {id: layer-norm}
                  attention: {id: multi-head}
                  positional: {id: sinusoidal}
                  feed_forward: {id: mlp, activation: gelu}
                  output_heads: {lm_head: {id: lm, tied: true}}
                tokenizer: {id: char}
                data: {id: parallel-text, path: copy.tsv, held_out: 0.1}
                objective: {id: seq2seq, label_smoothing: 0.1}
                optim: {lr: 1.0e-2}
                schedule: {warmup: 5}
                run: {steps: 40, batch_size: 16, context: 12, seed: 1, eval_batches: 1}
                generation: {strategy: beam, beams: 2, max_new_tokens: 12}
                """);
        RunSpec s = new SpecLoader(REGISTRY).load(spec, List.of());
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        TrainingRun.Outcome o = new TrainingRun(REGISTRY, new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8))
                .run(s, new TrainingRun.Options(dir.resolve("run"), null, false, false, List.of()));
        assertTrue(o.result().finalHeldOutLoss() < o.result().initialHeldOutLoss() * 0.8, o.result().toString());
        String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("held-out translation, 16 pairs: greedy BLEU"), text);
        assertTrue(text.contains("beam(2) BLEU"), text);
        assertTrue(text.contains("copy-the-source BLEU 100.00"), text);
        String metrics = Files.readString(dir.resolve("run/model/metrics.json"));
        assertTrue(metrics.contains("\"bleu_greedy\"") && metrics.contains("\"bleu_beam\"") && metrics.contains("\"bleu_copy_source\" : 100.0"), metrics);
    }
}
