package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.metrics.LexiconJudge;
import org.ablate.models.assembly.Model;
import org.ablate.models.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ablate judge}, {@code ablate judge-pairs} and {@code ablate plot} on tiny untrained models whose samples
 * are random letters, judged by a lexicon of single letters; and {@code ablate generate} refusing a reward model.
 */
class JudgeCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TEXT = "a b c d e a b c d e a a b b ";
    static final Map<String, Integer> LEXICON = Map.of("a", 2, "b", -1, "c", 1);

    @TempDir Path dir;

    private Tokenizer tokenizer() {
        return EvalCommandTest.REGISTRY.tokenizer("char").train(TEXT, EvalCommandTest.REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
    }

    private Path lm(String name, Tokenizer tok) throws Exception {
        Model m = EvalCommandTest.model("decoder-only", "{lm_head: {id: lm}}", tok.vocabSize());
        Checkpoint.save(dir.resolve(name), m, tok, Map.of());
        return dir.resolve(name);
    }

    private Path files() throws Exception {
        Files.writeString(dir.resolve("lexicon.json"), JSON.writeValueAsString(LEXICON));
        StringBuilder p = new StringBuilder();
        for (String s : List.of("a b", "c d", "e a", "b c", "d e", "a a", "b b", "c c", "d d", "e e")) p.append("{\"prompt\": \"").append(s).append("\"}\n");
        return Files.writeString(dir.resolve("prompts.jsonl"), p.toString());
    }

    private static JudgedSamples.Sample sample(String text, LexiconJudge judge) {
        return new JudgedSamples.Sample(new int[text.length()], text, judge.score(text));
    }

    @Test void rankingDropsTiesAndEmptyResponsesAndNeverPairsATextWithItself() {
        LexiconJudge judge = new LexiconJudge(LEXICON);
        List<JudgedSamples.Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < 5; i++) prompts.add(new JudgedSamples.Prompt(i + 1, "p" + i, "p" + i + ">"));
        List<List<JudgedSamples.Sample>> samples = List.of(
                List.of(sample("d e", judge), sample("e", judge), sample("d", judge)),       // all 0: a tie
                List.of(sample("c", judge), sample("a b b", judge), sample("b", judge), sample("a", judge)), // 1, 0, -1, 2
                List.of(sample("a", judge), sample("a", judge)),                          // the same text twice
                List.of(sample("", judge), sample("b", judge)),                           // best is empty
                List.of(sample("b c", judge), sample("a b", judge), sample("b", judge)));  // 0, 1, -1: chosen the first best
        JudgePairsCommand.Ranked r = JudgePairsCommand.rank(prompts, samples);
        assertEquals(2, r.ties());
        assertEquals(1, r.empty());
        assertEquals(2, r.pairs().size());
        assertEquals("{\"prompt\":\"p1\",\"chosen\":\"a\",\"rejected\":\"b\",\"chosen_score\":2,\"rejected_score\":-1}", r.pairs().get(0).toString());
        assertEquals("{\"prompt\":\"p4\",\"chosen\":\"a b\",\"rejected\":\"b\",\"chosen_score\":1,\"rejected_score\":-1}", r.pairs().get(1).toString());
    }

    @Test void judgePairsWritesPairsTheLexiconRanksAndAccountsForEveryPrompt() throws Exception {
        Tokenizer tok = tokenizer();
        Path model = lm("lm", tok);
        Path prompts = files();
        Path out = dir.resolve("pairs.jsonl");
        MainTest.Result r = MainTest.run("judge-pairs", model.toString(), "--prompts", prompts.toString(), "--lexicon", dir.resolve("lexicon.json").toString(),
                "--template", "{prompt} ", "--held-out", "0.2", "--samples", "5", "--max-new-tokens", "6", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        LexiconJudge judge = new LexiconJudge(LEXICON);
        List<String> lines = Files.readAllLines(out);
        assertFalse(lines.isEmpty(), r.out());
        for (String line : lines) {
            JsonNode p = JSON.readTree(line);
            assertNotEquals(p.get("chosen").asText(), p.get("rejected").asText(), line);
            assertEquals(judge.score(p.get("chosen").asText()).score(), p.get("chosen_score").asInt(), line);
            assertEquals(judge.score(p.get("rejected").asText()).score(), p.get("rejected_score").asInt(), line);
            assertTrue(p.get("chosen_score").asInt() > p.get("rejected_score").asInt(), line);
        }
        // 10 prompts, the last 2 held out: the 8 others each give a pair, a tie or an empty response.
        String summary = r.out().strip();
        assertTrue(summary.startsWith("8 prompts, 5 responses each: " + lines.size() + " pairs written to " + out), summary);
        int ties = Integer.parseInt(summary.replaceAll(".*; (\\d+) ties and (\\d+) with an empty response dropped", "$1"));
        int empty = Integer.parseInt(summary.replaceAll(".*; (\\d+) ties and (\\d+) with an empty response dropped", "$2"));
        assertEquals(8, lines.size() + ties + empty, summary);
        // The same seed, the same pairs.
        Path again = dir.resolve("again.jsonl");
        assertEquals(0, MainTest.run("judge-pairs", model.toString(), "--prompts", prompts.toString(), "--lexicon", dir.resolve("lexicon.json").toString(),
                "--template", "{prompt} ", "--held-out", "0.2", "--samples", "5", "--max-new-tokens", "6", "--out", again.toString()).code());
        assertEquals(lines, Files.readAllLines(again));
        // An existing file is kept unless --overwrite says otherwise.
        r = MainTest.run("judge-pairs", model.toString(), "--prompts", prompts.toString(), "--lexicon", dir.resolve("lexicon.json").toString(),
                "--samples", "3", "--out", again.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--out " + again + ": already exists; pass --overwrite to replace it"), r.err());
        assertEquals(lines, Files.readAllLines(again));
        assertEquals(0, MainTest.run("judge-pairs", model.toString(), "--prompts", prompts.toString(), "--lexicon", dir.resolve("lexicon.json").toString(),
                "--template", "{prompt} ", "--held-out", "0.2", "--samples", "5", "--max-new-tokens", "6", "--out", again.toString(), "--overwrite").code());
        assertEquals(lines, Files.readAllLines(again));
    }

    @Test void judgeScoresHeldOutResponsesAndTheKlToItselfIsZero() throws Exception {
        Tokenizer tok = tokenizer();
        Path model = lm("lm", tok);
        Path prompts = files();
        MainTest.Result r = MainTest.run("judge", model.toString(), "--prompts", prompts.toString(), "--lexicon", dir.resolve("lexicon.json").toString(),
                "--template", "{prompt} ", "--held-out", "0.2", "--samples", "3", "--max-new-tokens", "5", "--reference", model.toString(), "--show", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(2, j.get("prompts").asInt());
        assertEquals(0.0, j.get("kl").asDouble(), 1e-9);
        LexiconJudge judge = new LexiconJudge(LEXICON);
        assertEquals(2, j.get("examples").size());
        for (JsonNode e : j.get("examples")) assertEquals(judge.score(e.get("response").asText()).score(), e.get("score").asInt(), e.toString());
        assertEquals("d d", j.get("examples").get(0).get("prompt").asText()); // the held-out tail
        double mean = j.get("judge").asDouble();
        assertEquals(Math.rint(mean * 6), mean * 6, 1e-9, "a mean of 6 integer scores: " + mean);
    }

    @Test void aLexiconThatIsNotJsonIsOneLineNamingTheFile() throws Exception {
        Tokenizer tok = tokenizer();
        Path model = lm("lm", tok);
        Path prompts = files();
        Path bad = Files.writeString(dir.resolve("bad.json"), "a = 2\n");
        MainTest.Result r = MainTest.run("judge", model.toString(), "--prompts", prompts.toString(), "--lexicon", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("ablate judge: " + bad + ": not JSON at line 1"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = MainTest.run("judge-pairs", model.toString(), "--prompts", prompts.toString(), "--lexicon", bad.toString(), "--out", dir.resolve("x.jsonl").toString());
        assertTrue(r.err().startsWith("ablate judge-pairs: " + bad + ": not JSON"), r.err());
        assertFalse(Files.exists(dir.resolve("x.jsonl")));
    }

    @Test void aRewardModelIsRefusedAsALanguageModelSayingWhy() throws Exception {
        Tokenizer tok = tokenizer();
        Model m = EvalCommandTest.model("decoder-only", "{score: {id: scalar}}", tok.vocabSize());
        Checkpoint.save(dir.resolve("rm"), m, tok, Map.of());
        MainTest.Result r = MainTest.run("generate", dir.resolve("rm").toString(), "--prompt", "a b");
        assertEquals(1, r.code());
        assertEquals("ablate generate: " + dir.resolve("rm") + ": the model has no language-model head to generate with (its heads: score "
                + "(SEQUENCE_SCALAR)); it scores sequences (a reward model): generate from the policy it was trained for, e.g. the SFT run", r.err().strip());
        // A PPO policy has a value head beside its LM head: generation reads the LM head.
        Model policy = EvalCommandTest.model("decoder-only", "{lm_head: {id: lm}, value: {id: scalar, at: every}}", tok.vocabSize());
        Checkpoint.save(dir.resolve("policy"), policy, tok, Map.of());
        r = MainTest.run("generate", dir.resolve("policy").toString(), "--prompt", "a b", "--max-new-tokens", "3", "--sampler", "greedy");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("a b") && r.out().strip().length() > 3, r.out());
        // A reward-model run keeps its starting model's tied LM head: generation works, with a note.
        Model both = EvalCommandTest.model("decoder-only", "{lm_head: {id: lm, tied: true}, score: {id: scalar}}", tok.vocabSize());
        Checkpoint.save(dir.resolve("run/model"), both, tok, Map.of());
        Files.writeString(dir.resolve("run/run.json"), "{\"format\": \"ablate-run\", \"objective\": \"reward-pairwise\", \"stage\": \"reward\", "
                + "\"status\": \"finished\", \"parent\": {\"folder\": \"/runs/sft\"}}");
        r = MainTest.run("generate", dir.resolve("run").toString(), "--prompt", "a b", "--max-new-tokens", "3", "--sampler", "greedy");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: " + dir.resolve("run") + " is a reward model: its language-model head was not trained in that stage, "
                + "so its text says little; the policy it scores started from /runs/sft"), r.err());
        files();
        r = MainTest.run("judge", dir.resolve("rm").toString(), "--prompts", dir.resolve("prompts.jsonl").toString(), "--lexicon",
                dir.resolve("lexicon.json").toString());
        assertTrue(r.err().contains("no language-model head"), r.err());
    }

    @Test void plotDrawsOnePanelPerMetricFromTheHeldOutLines() throws Exception {
        Path run = Files.createDirectories(dir.resolve("ppo"));
        Files.writeString(run.resolve("metrics.jsonl"), """
                {"held_out_loss":1.0,"judge":0.1,"kl":0.0,"step":0}
                {"judge":0.5,"kl":1.0,"loss":0.3,"step":1}
                {"held_out_loss":0.8,"judge":0.4,"kl":2.0,"step":8}
                """);
        Path level = Files.writeString(dir.resolve("sft.json"), "{\"judge\": 0.2, \"kl\": 0.0}");
        Path png = dir.resolve("out/plot.png");
        MainTest.Result r = MainTest.run("plot", "PPO=" + run, "--held-out", "--metric", "judge", "--metric", "kl", "--level", "SFT=" + level, "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(2 * 620, image.getWidth());
        byte[] first = Files.readAllBytes(png);
        r = MainTest.run("plot", "PPO=" + run, "--held-out", "--metric", "kl", "--out", png.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--out " + png + ": already exists; pass --overwrite to replace it"), r.err());
        assertArrayEquals(first, Files.readAllBytes(png), "the earlier plot is left as it was");
        try (var left = Files.list(png.getParent())) {
            assertEquals(List.of(png.getFileName().toString()), left.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
        r = MainTest.run("plot", "PPO=" + run, "--held-out", "--metric", "entropy", "--out", png.toString(), "--overwrite");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--metric entropy: no run's held-out evaluations and no --level file has it"), r.err());
    }
}
