package org.ablate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ablate.metrics.LexiconJudge;
import org.ablate.models.generate.SamplerChain;
import org.ablate.platform.ComponentRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ablate judge-pairs MODEL --prompts FILE --lexicon FILE --out PAIRS}: preference pairs ranked by a lexicon
 * judge. Several responses are sampled for each prompt; the best-scored becomes {@code chosen}, the worst
 * {@code rejected}. A prompt whose responses all score the same (a tie) gives no pair, and neither does one whose
 * best or worst response is empty or whose two are the same text.
 */
@Command(name = "judge-pairs", mixinStandardHelpOptions = true,
        description = {"Make preference pairs {prompt, chosen, rejected} from a model's own samples, ranked by a",
                "sentiment lexicon (AFINN: the sum of the valences of a response's words): per prompt, the",
                "best-scored of --samples responses is chosen and the worst rejected; ties are dropped.",
                "The file is what the preference-pairs data source reads (DPO, a reward model)."})
final class JudgePairsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Checkpoint or run folder of a decoder-only model (e.g. the SFT run).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The pairs, JSON Lines {prompt, chosen, rejected, chosen_score, rejected_score}.")
    Path out;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Option(names = "--held-out", paramLabel = "SHARE", description = "Leave out the last SHARE of the prompts, the ones a prompts data "
            + "source with this held_out keeps for evaluation (default: use all).")
    double heldOut = 0;

    @Option(names = "--samples", description = "Responses sampled per prompt (default: ${DEFAULT-VALUE}).")
    int samples = 4;

    @Mixin JudgeOptions opts = new JudgeOptions();

    /** What became of the prompts. */
    record Ranked(List<ObjectNode> pairs, int ties, int empty) {}

    @Override public Integer call() throws Exception {
        if (samples < 2) throw new IllegalArgumentException("--samples must be at least 2 to rank responses, got " + samples);
        opts.check();
        OutputFile.checkFree(out, overwrite);
        LexiconJudge judge = LexiconJudge.load(opts.lexicon);
        List<JudgedSamples.Prompt> prompts = JudgedSamples.prompts(opts.promptsFile, opts.template, heldOut, false);
        ComponentRegistry registry = Registries.discover(opts.plugins);
        ModelSource src = LanguageModels.open(model, registry);
        SamplerChain chain = SamplerChain.of(registry, SamplerChain.parse(opts.sampler));
        Ranked r = rank(prompts, JudgedSamples.sample(src.model(), src.tokenizer(), src.eos(), prompts, chain, samples, opts.maxNewTokens, opts.seed, judge));
        write(out, r.pairs());
        double chosen = r.pairs().stream().mapToInt(p -> p.get("chosen_score").asInt()).average().orElse(0);
        double rejected = r.pairs().stream().mapToInt(p -> p.get("rejected_score").asInt()).average().orElse(0);
        System.out.printf(java.util.Locale.ROOT, "%d prompts, %d responses each: %d pairs written to %s (mean score chosen %.2f, rejected %.2f); "
                + "%d ties and %d with an empty response dropped%n", prompts.size(), samples, r.pairs().size(), out, chosen, rejected, r.ties(), r.empty());
        return 0;
    }

    /** The pairs of judged samples: per prompt the first best-scored and the first worst-scored response. */
    static Ranked rank(List<JudgedSamples.Prompt> prompts, List<List<JudgedSamples.Sample>> samples) {
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> pairs = new ArrayList<>();
        int ties = 0, empty = 0;
        for (int i = 0; i < prompts.size(); i++) {
            JudgedSamples.Sample best = null, worst = null;
            for (JudgedSamples.Sample s : samples.get(i)) {
                if (best == null || s.score().score() > best.score().score()) best = s;
                if (worst == null || s.score().score() < worst.score().score()) worst = s;
            }
            if (best == null || best.score().score() == worst.score().score() || best.text().equals(worst.text())) {
                ties++;
                continue;
            }
            if (best.text().isBlank() || worst.text().isBlank()) {
                empty++;
                continue;
            }
            ObjectNode o = json.createObjectNode();
            o.put("prompt", prompts.get(i).raw());
            o.put("chosen", best.text());
            o.put("rejected", worst.text());
            o.put("chosen_score", best.score().score());
            o.put("rejected_score", worst.score().score());
            pairs.add(o);
        }
        return new Ranked(pairs, ties, empty);
    }

    private static void write(Path file, List<ObjectNode> pairs) throws IOException {
        ObjectMapper json = new ObjectMapper();
        OutputFile.write(file, tmp -> {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (ObjectNode o : pairs) w.write(json.writeValueAsString(o) + "\n");
            }
        });
    }
}
