package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigException;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/** Supervised fine-tuning, a reward model and DPO, each trained through a run from a spec, on a tiny model. */
class PostTrainingRunTest {
    @TempDir Path dir;
    final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    static final ObjectMapper JSON = new ObjectMapper();

    static final String MODEL = TestSpecs.tinyDecoder(48, "0.1");
    static final String RUN = """
            tokenizer: {id: char}
            optim: {lr: 1.0e-2}
            schedule: {warmup: 2}
            run: {steps: 6, batch_size: 4, context: 48, seed: 3, eval_every: 3, eval_batches: 2, checkpoint_every: 0}
            """;
    static final String SFT = MODEL + RUN + """
            data: {id: instructions, path: sft.jsonl, held_out: 0.2, template: "{instruction}|{input}>", template_no_input: "{instruction}>"}
            objective: {id: next-token}
            """;
    static final String PAIRS = "data: {id: preference-pairs, path: pairs.jsonl, held_out: 0.2, template: \"{prompt}>\"}\n";

    @BeforeEach void data() throws IOException {
        String[] words = {"light", "waters", "firmament", "evening", "morning", "seed", "earth", "heaven"};
        StringBuilder sft = new StringBuilder(), pairs = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            String w = words[i % words.length], next = words[(i + 1) % words.length];
            sft.append(i % 2 == 0
                    ? "{\"instruction\": \"name\", \"input\": \"the " + w + "\", \"output\": \"day " + (i % 7) + "\"}\n"
                    : "{\"instruction\": \"after " + w + "\", \"output\": \"" + next + "\"}\n");
            pairs.append("{\"prompt\": \"after " + w + "\", \"chosen\": \"" + next + "\", \"rejected\": \"" + words[(i + 3) % words.length] + "\"}\n");
        }
        Files.writeString(dir.resolve("sft.jsonl"), sft);
        Files.writeString(dir.resolve("pairs.jsonl"), pairs);
        StringBuilder prompts = new StringBuilder();
        for (int i = 0; i < 10; i++) prompts.append("{\"prompt\": \"after ").append(words[i % words.length]).append("\"}\n");
        Files.writeString(dir.resolve("prompts.jsonl"), prompts);
    }

    RunSpec spec(String text, String... overrides) {
        return new SpecLoader(TestSpecs.REGISTRY).parse("spec.yaml", text, true, dir, List.of(overrides));
    }

    TrainingRun.Outcome train(RunSpec spec, String out, Path from) throws IOException {
        return new TrainingRun(TestSpecs.REGISTRY, quiet).run(spec, new TrainingRun.Options(dir.resolve(out), from, false, false, List.of()));
    }

    /**
     * Through the next-token objective on an instructions batch: the logits of prompt and padding positions get a
     * gradient of exactly zero, and the loss is the response-only cross-entropy computed by hand from the logits.
     */
    @Test void sftPromptTokensGetExactlyZeroGradientAndTheLossIsResponseOnly() throws IOException {
        RunSpec spec = spec(SFT);
        Tokenizer tok = TestSpecs.REGISTRY.tokenizer("char").train(TestSpecs.REGISTRY.data("instructions").tokenizerText(spec.data().params(), dir),
                spec.tokenizer().params());
        Model model = new ModelBuilder(TestSpecs.REGISTRY).build(spec.model().withVocabSize(tok.vocabSize()), 5, null);
        DataSource data = TestSpecs.REGISTRY.data("instructions").open(spec.data().params(), dir, tok, spec.run().context());
        Batch batch = data.trainBatch(6, spec.run().context(), new SplittableRandom(2));
        Tensor[] logits = new Tensor[1];
        Network capture = new Network() { // the model, with the LM head's output made a leaf so that its gradient is kept
            @Override public boolean hasEncoder() { return model.hasEncoder(); }
            @Override public boolean hasDecoder() { return model.hasDecoder(); }
            @Override public int vocabSize() { return model.vocabSize(); }
            @Override public Tensor encode(IntTensor ids, IntTensor t, IntTensor p) { return model.encode(ids, t, p); }
            @Override public Tensor decode(IntTensor ids, IntTensor p, Tensor m, IntTensor mp) { return model.decode(ids, p, m, mp); }
            @Override public Set<String> heads() { return model.heads(); }
            @Override public Head head(String name) {
                Head h = model.head(name);
                return new Head() {
                    @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                        logits[0] = h.forward(hidden, padding).detach().contiguous().requiresGrad(true);
                        return logits[0];
                    }
                    @Override public HeadOutput output() { return h.output(); }
                };
            }
        };
        Loss loss = TestSpecs.REGISTRY.objective("next-token").create(spec.objective().params()).loss(capture, batch, new SplittableRandom(0));
        loss.value().backward();
        int[] labels = batch.get("labels").data();
        int[] mask = batch.get("attention_mask").data();
        int v = logits[0].size(-1);
        float[] x = logits[0].toArray(), g = logits[0].grad().toArray();
        double sum = 0;
        int counted = 0, prompt = 0, padding = 0;
        for (int pos = 0; pos < labels.length; pos++) {
            if (labels[pos] == Batch.IGNORE) {
                if (mask[pos] == 0) padding++; else prompt++;
                for (int k = 0; k < v; k++) assertEquals(0f, g[pos * v + k], "gradient at ignored position " + pos + ", id " + k);
                continue;
            }
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int k = 0; k < v; k++) max = Math.max(max, x[pos * v + k]);
            for (int k = 0; k < v; k++) z += Math.exp(x[pos * v + k] - max);
            sum += max + Math.log(z) - x[pos * v + labels[pos]];
            counted++;
            double norm = 0;
            for (int k = 0; k < v; k++) norm += Math.abs(g[pos * v + k]);
            assertTrue(norm > 0, "no gradient at response position " + pos);
        }
        assertTrue(prompt > 20 && padding > 0 && counted > 6, prompt + " prompt, " + padding + " padding, " + counted + " response positions");
        assertEquals(counted, loss.count());
        assertEquals(sum / counted, loss.value().item(), 1e-5 * (sum / counted));
    }

    @Test void sftAndRewardModelTrainThroughARun() throws IOException {
        TrainingRun.Outcome sft = train(spec(SFT), "sft", null);
        assertTrue(sft.result().finalHeldOutLoss() < sft.result().initialHeldOutLoss(), sft.result().evaluations().toString());
        JsonNode run = JSON.readTree(dir.resolve("sft/run.json").toFile());
        assertEquals("next-token", run.path("objective").asText());
        assertEquals("instructions", SpecLoader.YAML.readTree(dir.resolve("sft/spec.yaml").toFile()).path("data").path("id").asText());

        RunSpec reward = spec(MODEL + "  output_heads: {score: {id: scalar}}\n" + RUN + PAIRS + "objective: {id: reward-pairwise}\n");
        TrainingRun.Outcome rm = train(reward, "reward", dir.resolve("sft"));
        assertEquals(dir.resolve("sft").toAbsolutePath().normalize().toString(), JSON.readTree(dir.resolve("reward/run.json").toFile()).path("from").asText());
        // Each run records its stage, and the run it starts from with that run's spec hash and stage.
        assertEquals("sft", run.path("stage").asText());
        assertTrue(run.path("parent").isMissingNode(), run.toString());
        JsonNode rmRun = JSON.readTree(dir.resolve("reward/run.json").toFile());
        assertEquals("reward", rmRun.path("stage").asText());
        assertEquals(dir.resolve("sft").toAbsolutePath().normalize().toString(), rmRun.path("parent").path("folder").asText());
        assertEquals(run.path("spec_sha256").asText(), rmRun.path("parent").path("spec_sha256").asText());
        assertEquals("sft", rmRun.path("parent").path("stage").asText());
        List<String> header = Files.readAllLines(dir.resolve("reward/spec.yaml")).subList(0, 3);
        assertEquals("# stage: reward", header.get(1));
        assertEquals("# parent: " + dir.resolve("sft").toAbsolutePath().normalize() + " (run spec sha256 " + run.path("spec_sha256").asText().substring(0, 12)
                + ", stage sft)", header.get(2));
        assertEquals("# stage: sft", Files.readAllLines(dir.resolve("sft/spec.yaml")).get(1));
        List<JsonNode> evals = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("reward/metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.has("held_out_loss")) evals.add(n);
            else assertTrue(n.has("accuracy") && n.has("reward_margin"), line);
        }
        assertEquals(3, evals.size());
        for (JsonNode e : evals) {
            double acc = e.path("accuracy").asDouble(-1);
            assertTrue(acc >= 0 && acc <= 1 && acc * 8 == Math.rint(acc * 8), "held-out pair accuracy over 8 pairs: " + e);
        }
        assertTrue(rm.result().finalHeldOutLoss() < Math.log(2) + 0.2, rm.result().evaluations().toString());
    }

    /** At the start the policy is its reference, so DPO's loss is exactly log 2; then it trains the policy away from it. */
    @Test void dpoStartsAtLog2AgainstItsStartingPointAndChecksTheReference() throws IOException {
        train(spec(SFT, "run.steps=3"), "sft", null);
        RunSpec dpo = spec(MODEL + RUN + PAIRS + "objective: {id: dpo, beta: 0.5}\n");
        TrainingRun.Outcome o = train(dpo, "dpo", dir.resolve("sft"));
        assertEquals(Math.log(2), o.result().initialHeldOutLoss(), 1e-5);
        assertNotEquals(Math.log(2), o.result().finalHeldOutLoss(), 1e-3);

        String m = assertThrows(ConfigException.class, () -> train(dpo, "no-reference", null)).getMessage();
        assertTrue(m.contains("objective.reference") && m.contains("--from"), m);

        // A reference whose tokenizer was learned from other text reads other ids.
        Files.writeString(dir.resolve("other.jsonl"), "{\"instruction\": \"xyz\", \"output\": \"qqq\"}\n{\"instruction\": \"zz\", \"output\": \"q\"}\n");
        train(spec(SFT, "data.path=other.jsonl", "data.held_out=0.5", "run.steps=1"), "other", null);
        RunSpec mismatched = spec(MODEL + RUN + PAIRS + "objective: {id: dpo, reference: other}\n");
        m = assertThrows(ConfigException.class, () -> train(mismatched, "mismatched", dir.resolve("sft"))).getMessage();
        assertTrue(m.contains("objective.reference") && m.contains("its tokenizer differs from the trained model's"), m);
    }

    /** A DPO run that fails after a checkpoint resumes against the same reference: the one run.json recorded. */
    @Test void aResumedDpoRunFindsItsReferenceAgain() throws IOException {
        train(spec(SFT, "run.steps=3"), "sft", null);
        RunSpec dpo = spec(MODEL + RUN + PAIRS + "objective: {id: dpo, beta: 0.5}\n", "run.checkpoint_every=2", "run.eval_every=0");
        TrainingCallback failAt3 = new TrainingCallback() {
            @Override public void step(int step, int total, double loss, double lr, double tps) {
                if (step == 3) throw new IllegalStateException("interrupted");
            }
        };
        Path out = dir.resolve("dpo");
        assertThrows(IllegalStateException.class, () -> new TrainingRun(TestSpecs.REGISTRY, quiet).run(dpo,
                new TrainingRun.Options(out, dir.resolve("sft"), false, false, List.of(failAt3))));
        TrainingRun.Outcome resumed = new TrainingRun(TestSpecs.REGISTRY, quiet).run(dpo, new TrainingRun.Options(out, null, true, false, List.of()));
        TrainingRun.Outcome whole = train(dpo, "whole", dir.resolve("sft"));
        List<Double> a = whole.result().trainLosses(), b = resumed.result().trainLosses();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-5, "step " + (i + 1) + ": " + a + " vs " + b);
        assertEquals(dir.resolve("sft").toAbsolutePath().normalize().toString(), JSON.readTree(out.resolve("run.json").toFile()).path("from").asText());
        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertEquals("dpo", run.path("stage").asText());
        assertEquals("sft", run.path("parent").path("stage").asText(), "the resumed run still names its parent: " + run);
    }

    /** On a handful of pairs seen again and again, DPO drives its loss well below log 2. */
    @Test void dpoFitsAFewPairs() throws IOException {
        train(spec(SFT, "run.steps=2"), "sft", null);
        List<String> lines = Files.readAllLines(dir.resolve("pairs.jsonl"));
        Files.write(dir.resolve("few.jsonl"), lines.subList(0, 5));
        RunSpec dpo = spec(MODEL + RUN + PAIRS + "objective: {id: dpo, beta: 0.5}\n", "data.path=few.jsonl", "run.steps=25",
                "run.eval_every=0", "model.dropout=0.0");
        List<Double> losses = train(dpo, "dpo", dir.resolve("sft")).result().trainLosses();
        double last = losses.subList(losses.size() - 5, losses.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.3, "mean of the last 5 losses " + last + " (log 2 = 0.693): " + losses);
    }

    /** SFT, then a reward model, then PPO against it with the SFT model as reference: each step logs the rollout's figures. */
    @Test void ppoTrainsThroughARunAgainstARewardModel() throws IOException {
        train(spec(SFT, "run.steps=3"), "sft", null);
        train(spec(MODEL + "  output_heads: {score: {id: scalar}}\n" + RUN + PAIRS + "objective: {id: reward-pairwise}\n", "run.steps=3"), "reward",
                dir.resolve("sft"));
        RunSpec ppo = spec(MODEL + "  output_heads: {lm_head: {id: lm}, value: {id: scalar, at: every}}\n" + RUN
                + "data: {id: prompts, path: prompts.jsonl, held_out: 0.2, template: \"{prompt}>\"}\n"
                + "objective: {id: ppo, reward_model: reward, ppo_epochs: 2, max_new_tokens: 5}\n", "run.steps=4", "run.eval_every=0",
                "objective.judge=" + Files.writeString(dir.resolve("lexicon.json"), "{\"a\": 1, \"b\": -2}"));
        train(ppo, "ppo", dir.resolve("sft"));
        int steps = 0, evals = 0;
        for (String line : Files.readAllLines(dir.resolve("ppo/metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            List<String> expected = n.has("held_out_loss") ? List.of("reward", "kl", "response_length", "judge")
                    : List.of("reward", "kl", "kl_coef", "entropy", "clipfrac", "approx_kl", "pg_loss", "vf_loss", "judge");
            for (String m : expected) assertTrue(n.path(m).isNumber(), m + " in " + line);
            if (n.has("held_out_loss")) evals++; else steps++;
        }
        assertEquals(4, steps);
        assertEquals(2, evals);
        assertEquals("ppo", JSON.readTree(dir.resolve("ppo/run.json").toFile()).path("objective").asText());
        String m = assertThrows(ConfigException.class, () -> train(spec(MODEL + RUN + "data: {id: prompts, path: prompts.jsonl}\n"
                + "objective: {id: ppo, reward_model: nowhere}\n"), "ppo-bad", dir.resolve("sft"))).getMessage();
        assertTrue(m.contains("objective.reward_model") && m.contains("nowhere"), m);
        JsonNode run = JSON.readTree(dir.resolve("ppo/run.json").toFile());
        assertEquals("ppo", run.path("stage").asText());
        assertEquals("sft", run.path("parent").path("stage").asText());

        Path notJson = Files.writeString(dir.resolve("bad-lexicon.json"), "a 1\n");
        m = assertThrows(RuntimeException.class, () -> train(spec(MODEL
                + "  output_heads: {lm_head: {id: lm}, value: {id: scalar, at: every}}\n" + RUN + "data: {id: prompts, path: prompts.jsonl}\n"
                + "objective: {id: ppo, reward_model: reward, judge: " + notJson + "}\n"), "ppo-bad-judge", dir.resolve("sft"))).getMessage();
        assertTrue(m.contains("objective.judge: " + notJson + ": not JSON at line 1"), m);
        assertTrue(!m.contains("\n"), m);
    }

    /** With reward: judge, the lexicon's score of each response is PPO's reward: the two logged means are one number. */
    @Test void ppoCanTakeTheJudgeItselfAsItsReward() throws IOException {
        train(spec(SFT, "run.steps=3"), "sft", null);
        Path lexicon = Files.writeString(dir.resolve("lexicon.json"), "{\"a\": 2, \"b\": -1, \"the\": 1}");
        String policy = MODEL + "  output_heads: {lm_head: {id: lm}, value: {id: scalar, at: every}}\n" + RUN
                + "data: {id: prompts, path: prompts.jsonl, held_out: 0.2, template: \"{prompt}>\"}\n";
        train(spec(policy + "objective: {id: ppo, reward: judge, judge: " + lexicon + ", ppo_epochs: 1, max_new_tokens: 8}\n",
                "run.steps=4", "run.eval_every=2"), "ppo", dir.resolve("sft"));
        int lines = 0;
        for (String line : Files.readAllLines(dir.resolve("ppo/metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            assertEquals(n.path("judge").asDouble(), n.path("reward").asDouble(), 1e-6, line);
            lines++;
        }
        assertEquals(4 + 3, lines);
        String m = assertThrows(ConfigException.class, () -> train(spec(policy + "objective: {id: ppo, reward: judge}\n"), "no-judge",
                dir.resolve("sft"))).getMessage();
        assertTrue(m.contains("objective.reward: \"judge\" scores responses with objective.judge"), m);
        m = assertThrows(ConfigException.class, () -> train(spec(policy + "objective: {id: ppo}\n"), "no-reward", dir.resolve("sft"))).getMessage();
        assertTrue(m.contains("objective.reward_model: name the reward model's checkpoint or run folder"), m);
    }

    /**
     * PPO's only state besides the weights and the optimizer is its queue of minibatches from the current rollout;
     * resumed from a checkpoint where a rollout is used up (a multiple of ppo_epochs × minibatches), the run
     * samples the next rollout with the same step's random draws and repeats the uninterrupted run bit for bit.
     */
    @Test void aPpoRunResumedAtARolloutBoundaryRepeatsTheUninterruptedRun() throws IOException {
        train(spec(SFT, "run.steps=3"), "sft", null);
        train(spec(MODEL + "  output_heads: {score: {id: scalar}}\n" + RUN + PAIRS + "objective: {id: reward-pairwise}\n", "run.steps=3"), "reward",
                dir.resolve("sft"));
        RunSpec ppo = spec(MODEL + "  output_heads: {lm_head: {id: lm}, value: {id: scalar, at: every}}\n" + RUN
                + "data: {id: prompts, path: prompts.jsonl, held_out: 0.2, template: \"{prompt}>\"}\n"
                + "objective: {id: ppo, reward_model: reward, ppo_epochs: 2, minibatches: 2, max_new_tokens: 5}\n",
                "run.steps=8", "run.eval_every=0", "run.checkpoint_every=4", "model.dropout=0.0");
        TrainingCallback failAt6 = new TrainingCallback() {
            @Override public void step(int step, int total, double loss, double lr, double tps) {
                if (step == 6) throw new IllegalStateException("interrupted");
            }
        };
        Path out = dir.resolve("ppo");
        assertThrows(IllegalStateException.class, () -> new TrainingRun(TestSpecs.REGISTRY, quiet).run(ppo,
                new TrainingRun.Options(out, dir.resolve("sft"), false, false, List.of(failAt6))));
        TrainingRun.Outcome resumed = new TrainingRun(TestSpecs.REGISTRY, quiet).run(ppo, new TrainingRun.Options(out, null, true, false, List.of()));
        TrainingRun.Outcome whole = train(ppo, "whole", dir.resolve("sft"));
        assertEquals(whole.result().trainLosses(), resumed.result().trainLosses());
        assertEquals(Files.readAllLines(dir.resolve("whole/metrics.jsonl")), Files.readAllLines(out.resolve("metrics.jsonl")));
    }

    /** The shipped post-training specs resolve, each with the objective and data it is about. */
    @Test void exampleSpecsResolve() {
        Path specs = Path.of("../examples/specs");
        for (String[] e : new String[][] {{"sft-char.yaml", "next-token", "instructions"}, {"reward-char.yaml", "reward-pairwise", "preference-pairs"},
                {"dpo-char.yaml", "dpo", "preference-pairs"}, {"ppo-char.yaml", "ppo", "prompts"}}) {
            RunSpec s = new SpecLoader(TestSpecs.REGISTRY).load(specs.resolve(e[0]), List.of());
            assertEquals(e[1], s.objective().id(), e[0]);
            assertEquals(e[2], s.data().id(), e[0]);
            assertTrue(Files.isRegularFile(s.base().resolve(s.data().params().getString("path"))), e[0] + ": " + s.data().params().getString("path"));
        }
        // The pipeline's specs (examples/post-training/run.sh): their pairs are made by the pipeline; PPO's prompts and judge are shipped.
        Path pipeline = Path.of("../examples/post-training");
        for (String[] e : new String[][] {{"reward.yaml", "reward-pairwise"}, {"dpo.yaml", "dpo"}, {"ppo.yaml", "ppo"}}) {
            RunSpec s = new SpecLoader(TestSpecs.REGISTRY).load(pipeline.resolve(e[0]), List.of());
            assertEquals(e[1], s.objective().id(), e[0]);
            assertEquals(Lineage.of(s, Path.of("sft")).stage(), e[0].equals("reward.yaml") ? "reward" : e[1]);
        }
        RunSpec ppo = new SpecLoader(TestSpecs.REGISTRY).load(pipeline.resolve("ppo.yaml"), List.of());
        assertTrue(Files.isRegularFile(ppo.base().resolve(ppo.data().params().getString("path"))), ppo.data().params().getString("path"));
        assertTrue(Files.isRegularFile(Path.of("..").resolve(ppo.objective().params().getString("judge"))), ppo.objective().params().getString("judge"));
    }
}
