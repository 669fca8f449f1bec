package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveContext;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.optim.AdamW;

/** The PPO loop: against a reward a person can state, the policy learns to earn it; and a run from a spec logs its figures. */
class PpoTest {
    @TempDir Path dir;
    static final ObjectMapper JSON = new ObjectMapper();

    static final String POLICY = TestSpecs.tinyDecoder(48, "0.0") + """
              output_heads: {lm_head: {id: lm}, value: {id: scalar, at: every}}
            tokenizer: {id: char}
            data: {id: prompts, path: prompts.jsonl, held_out: 0.2, template: "{prompt}:"}
            optim: {lr: 1.0e-2}
            schedule: {warmup: 0}
            """;

    private void prompts() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[] words = {"light", "waters", "firmament", "evening", "morning", "seed", "earth", "heaven"};
        for (int i = 0; i < 20; i++) sb.append("{\"prompt\": \"").append(words[i % words.length]).append("\"}\n");
        Files.writeString(dir.resolve("prompts.jsonl"), sb);
    }

    /** A reward model that counts one token in the sequence: the reward rises as PPO trains, the KL to the start grows from 0. */
    @Test void ppoLearnsToEarnAStatedReward() throws IOException {
        List<Map<String, Double>> steps = train("ppo_epochs: 2, max_new_tokens: 6, kl_coef: 0.01", 30);
        List<Double> rewards = new ArrayList<>(), kls = new ArrayList<>();
        for (int i = 0; i < steps.size(); i += 2) { // the first of the two updates over each rollout
            Map<String, Double> m = steps.get(i);
            rewards.add(m.get("reward"));
            kls.add(m.get("kl"));
            assertEquals(0.0, m.get("approx_kl"), 1e-10, "the policy has not moved since it sampled the rollout");
            assertEquals(0.0, m.get("clipfrac"), 0.0);
        }
        for (Map<String, Double> m : steps) {
            for (String k : List.of("reward", "kl", "kl_coef", "entropy", "clipfrac", "approx_kl", "pg_loss", "vf_loss", "response_length")) {
                assertTrue(m.containsKey(k), k + " missing from " + m.keySet());
            }
        }
        assertEquals(0.0, kls.get(0), 1e-4, "the first rollout comes from the reference itself");
        double first = rewards.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = rewards.subList(rewards.size() - 5, rewards.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.println("ppo rewards per rollout: " + rewards + ", kl " + kls);
        assertTrue(last > first + 1.5, "mean reward of the first 5 rollouts " + first + ", of the last 5 " + last + ": " + rewards);
    }

    /** The adaptive KL coefficient follows TRL's AdaptiveKLController: β ← β·(1 + clip(KL/target − 1, ±0.2)·B/horizon). */
    @Test void adaptiveKlCoefficientFollowsTheController() throws IOException {
        List<Map<String, Double>> steps = train("ppo_epochs: 1, max_new_tokens: 6, kl_coef: 0.1, adaptive_kl: true, kl_target: 0.05, kl_horizon: 10", 8);
        for (int i = 0; i + 1 < steps.size(); i++) {
            double beta = steps.get(i).get("kl_coef"), kl = steps.get(i).get("kl");
            double expected = beta * (1 + Math.max(-0.2, Math.min(0.2, kl / 0.05 - 1)) * 8 / 10);
            assertEquals(expected, steps.get(i + 1).get("kl_coef"), 1e-12, "step " + (i + 2));
        }
        assertEquals(0.1 * 0.84, steps.get(1).get("kl_coef"), 1e-12, "the first rollout has KL 0, below the target");
    }

    /** Trains a tiny policy with PPO against {@link #counter} for {@code steps} steps; the objective's figures of each step. */
    private List<Map<String, Double>> train(String objective, int steps) throws IOException {
        prompts();
        RunSpec spec = new SpecLoader(TestSpecs.REGISTRY).parse("ppo.yaml", POLICY + "objective: {id: ppo, reward_model: counter, " + objective
                + "}\nrun: {steps: " + steps + ", batch_size: 8, context: 48, seed: 1}\n", true, dir, List.of());
        Tokenizer tok = TestSpecs.REGISTRY.tokenizer("char").train(TestSpecs.REGISTRY.data("prompts").tokenizerText(spec.data().params(), dir)
                + "xyz", spec.tokenizer().params());
        int target = tok.encode("e")[0];
        ModelBuilder builder = new ModelBuilder(TestSpecs.REGISTRY);
        Model policy = builder.build(spec.model().withVocabSize(tok.vocabSize()), 3, null);
        Model reference = builder.build(spec.model().withVocabSize(tok.vocabSize()), 3, null);
        ObjectiveContext context = new ObjectiveContext() {
            @Override public Tokenizer tokenizer() { return tok; }
            @Override public Network frozen(String field, String path) {
                return switch (field) {
                    case "objective.reference" -> reference;
                    case "objective.reward_model" -> counter(target, tok.vocabSize());
                    default -> throw new IllegalArgumentException(field);
                };
            }
        };
        Objective ppo = TestSpecs.REGISTRY.objective("ppo").create(spec.objective().params(), context);
        DataSource data = TestSpecs.REGISTRY.data("prompts").open(spec.data().params(), dir, tok, 48);
        AdamW opt = new AdamW(policy.parameters().values(), 1e-2, 0.0);
        List<Map<String, Double>> out = new ArrayList<>();
        for (int step = 1; step <= steps; step++) {
            SplittableRandom random = new SplittableRandom(step);
            Batch b = data.trainBatch(8, 48, random);
            opt.zeroGrad();
            try (Dropout d = Dropout.training(step)) {
                Loss loss = ppo.loss(policy, b, random);
                loss.value().backward();
                out.add(loss.metrics());
            }
            opt.step();
        }
        return out;
    }

    /** Counts {@code target} among the unpadded tokens: a reward model as a rule. */
    static Network counter(int target, int vocab) {
        return new Network() {
            @Override public boolean hasEncoder() { return false; }
            @Override public boolean hasDecoder() { return true; }
            @Override public int vocabSize() { return vocab; }
            @Override public Set<String> heads() { return Set.of("score"); }
            @Override public Tensor encode(IntTensor ids, IntTensor t, IntTensor p) { throw new UnsupportedOperationException(); }
            @Override public Tensor decode(IntTensor ids, IntTensor padding, Tensor m, IntTensor mp) {
                float[] hit = new float[ids.numel()];
                for (int i = 0; i < hit.length; i++) hit[i] = ids.data()[i] == target && padding.data()[i] != 0 ? 1f : 0f;
                return Tensor.of(hit, ids.size(0), ids.size(1), 1);
            }
            @Override public Head head(String name) {
                return new Head() {
                    @Override public Tensor forward(Tensor hidden, IntTensor padding) { return hidden.sum(1, false).squeeze(1); }
                    @Override public HeadOutput output() { return HeadOutput.SEQUENCE_SCALAR; }
                };
            }
        };
    }
}
