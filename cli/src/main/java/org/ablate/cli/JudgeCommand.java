package org.ablate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.ablate.api.Tokenizer;
import org.ablate.metrics.LexiconJudge;
import org.ablate.models.generate.SamplerChain;
import org.ablate.platform.ComponentRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ablate judge MODEL --prompts FILE --lexicon FILE}: samples responses to prompts and prints, as JSON, the
 * lexicon judge's mean score and, with {@code --reference}, the KL divergence to a reference model.
 */
@Command(name = "judge", mixinStandardHelpOptions = true,
        description = {"Sample responses to prompts from a model and score them with a sentiment lexicon (AFINN:",
                "the sum of the valences of a response's words). Prints JSON: the mean score, the share of",
                "positive and negative responses, the mean response length and, with --reference, the mean",
                "KL divergence to that model, estimated on the samples as sum(log p - log p_ref) over the",
                "response tokens (an estimate of KL(p || p_ref) when --sampler is plain sampling), and with",
                "--reward-model that model's mean score of the responses."})
final class JudgeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Checkpoint or run folder of a decoder-only model with a language-model head.")
    Path model;

    @Option(names = "--held-out", paramLabel = "SHARE", description = "Judge only the last SHARE of the prompts, the ones a prompts data "
            + "source with this held_out keeps for evaluation (default: all prompts).")
    double heldOut = 0;

    @Option(names = "--reference", paramLabel = "MODEL", description = "Also estimate the KL divergence to this model (e.g. the SFT run).")
    Path reference;

    @Option(names = "--reward-model", paramLabel = "MODEL", description = "Also report this reward model's mean score of the "
            + "responses (prompt and response together, as PPO scores them).")
    Path rewardModel;

    @Option(names = "--reward-head", description = "The reward model's scalar head (default: ${DEFAULT-VALUE}).")
    String rewardHead = "score";

    @Option(names = "--samples", description = "Responses per prompt (default: ${DEFAULT-VALUE}).")
    int samples = 1;

    @Option(names = "--show", description = "Responses to include as examples (default: ${DEFAULT-VALUE}).")
    int show = 3;

    @Mixin JudgeOptions opts = new JudgeOptions();

    @Override public Integer call() throws Exception {
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        opts.check();
        LexiconJudge judge = LexiconJudge.load(opts.lexicon);
        List<JudgedSamples.Prompt> prompts = JudgedSamples.prompts(opts.promptsFile, opts.template, heldOut, heldOut > 0);
        ComponentRegistry registry = Registries.discover(opts.plugins);
        ModelSource src = LanguageModels.open(model, registry);
        ModelSource ref = reference == null ? null : LanguageModels.open(reference, registry);
        if (ref != null) LanguageModels.checkSameTokenizer(src, ref, prompts.getFirst().rendered(), model, reference);
        ModelSource rm = rewardModel == null ? null : ModelSource.open(rewardModel, registry, true, System.err);
        if (rm != null) {
            if (rm.model().head(rewardHead).output() != org.ablate.api.HeadOutput.SEQUENCE_SCALAR) {
                throw new IllegalArgumentException("--reward-model " + rewardModel + ": head \"" + rewardHead + "\" gives "
                        + rm.model().head(rewardHead).output() + ", expected SEQUENCE_SCALAR (a scalar head at the last token)");
            }
            LanguageModels.checkSameTokenizer(src, rm, prompts.getFirst().rendered(), model, rewardModel);
        }
        SamplerChain chain = SamplerChain.of(registry, SamplerChain.parse(opts.sampler));
        Tokenizer tok = src.tokenizer();
        List<List<JudgedSamples.Sample>> all = JudgedSamples.sample(src.model(), tok, src.eos(), prompts, chain, samples, opts.maxNewTokens, opts.seed, judge);

        double score = 0, scoreSq = 0, perWord = 0, tokens = 0, kl = 0, refNll = 0, reward = 0;
        int positive = 0, negative = 0, n = 0;
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            int[] promptIds = tok.encode(prompts.get(i).rendered());
            for (JudgedSamples.Sample s : all.get(i)) {
                n++;
                int sc = s.score().score();
                score += sc;
                scoreSq += (double) sc * sc;
                perWord += s.score().comparative();
                if (sc > 0) positive++;
                if (sc < 0) negative++;
                tokens += s.ids().length;
                distinct.add(s.text());
                if (ref != null && s.ids().length > 0) {
                    double lpRef = JudgedSamples.logProb(ref.model(), promptIds, s.ids());
                    kl += JudgedSamples.logProb(src.model(), promptIds, s.ids()) - lpRef;
                    refNll -= lpRef / s.ids().length;
                }
                if (rm != null) reward += JudgedSamples.score(rm.model(), rewardHead, promptIds, s.ids());
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.put("model", model.toString());
        o.put("prompts_file", opts.promptsFile.toString());
        o.put("prompts", prompts.size());
        o.put("samples_per_prompt", samples);
        o.put("sampler", opts.sampler);
        o.put("judge", score / n);
        o.put("judge_sd", Math.sqrt(Math.max(0, scoreSq / n - (score / n) * (score / n))));
        o.put("judge_per_word", perWord / n);
        o.put("positive_share", (double) positive / n);
        o.put("negative_share", (double) negative / n);
        o.put("response_tokens", tokens / n);
        o.put("distinct_share", (double) distinct.size() / n);
        if (ref != null) {
            o.put("reference", reference.toString());
            o.put("kl", kl / n);
            o.put("reference_nll_per_token", refNll / n);
        }
        if (rm != null) {
            o.put("reward_model", rewardModel.toString());
            o.put("reward", reward / n);
        }
        ArrayNode examples = o.putArray("examples");
        for (int i = 0, shown = 0; i < all.size() && shown < show; i++, shown++) {
            JudgedSamples.Sample s = all.get(i).getFirst();
            examples.addObject().put("prompt", prompts.get(i).raw()).put("response", s.text()).put("score", s.score().score())
                    .put("matched", String.join(" ", s.score().matched()));
        }
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(o));
        return 0;
    }
}
