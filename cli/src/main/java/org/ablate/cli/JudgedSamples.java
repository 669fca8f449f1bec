package org.ablate.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.ablate.api.SamplingContext;
import org.ablate.api.Tokenizer;
import org.ablate.metrics.LexiconJudge;
import org.ablate.models.assembly.DecoderCache;
import org.ablate.models.assembly.Model;
import org.ablate.models.generate.SamplerChain;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/**
 * Responses sampled from a model for a file of prompts and scored by a lexicon judge: what {@code ablate judge}
 * summarises and {@code ablate judge-pairs} ranks. Prompts are JSON Lines {@code {prompt}} rendered with a
 * template, as the {@code prompts} data source reads them; its {@code held_out} share (the last prompts) can be
 * kept or left out, so that a command sees the same prompts a PPO run holds out or trains on.
 */
final class JudgedSamples {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JudgedSamples() {}

    /** One prompt as written in the file, and as the model sees it (the template filled in). */
    record Prompt(int line, String raw, String rendered) {}

    /**
     * One sampled response.
     *
     * @param ids   the response's token ids (the end-of-sequence token included when it was drawn)
     * @param text  the response's text, without the end-of-sequence token
     * @param score the judge's score of {@code text}
     */
    record Sample(int[] ids, String text, LexiconJudge.Score score) {}

    /**
     * The prompts of a JSONL file, rendered with {@code template} ({@code {prompt}} filled in).
     *
     * @param heldOut  the share of the prompts, from the end, a prompts data source holds out (0: none)
     * @param heldPart {@code true}: only the held-out prompts; {@code false}: only the others
     */
    static List<Prompt> prompts(Path file, String template, double heldOut, boolean heldPart) throws IOException {
        if (!template.contains("{prompt}")) throw new IllegalArgumentException("--template \"" + template.replace("\n", "\\n") + "\" has no {prompt} placeholder");
        if (heldOut < 0 || heldOut >= 1) throw new IllegalArgumentException("--held-out must be in [0, 1), got " + heldOut);
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such prompts file (expected JSON Lines {\"prompt\": ...})");
        List<Prompt> all = new ArrayList<>();
        int number = 0;
        for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n", -1)) {
            number++;
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JacksonException e) {
                throw new IOException(file + ":" + number + ": not valid JSON; expected a JSON object with a string field prompt");
            }
            JsonNode p = node == null ? null : node.get("prompt");
            if (p == null || !p.isTextual()) throw new IOException(file + ":" + number + ": expected a JSON object with a string field prompt");
            all.add(new Prompt(number, p.asText(), template.replace("{prompt}", p.asText())));
        }
        if (all.isEmpty()) throw new IOException(file + ": holds no prompts");
        if (heldOut == 0) {
            if (heldPart) throw new IllegalArgumentException("--held-out 0 leaves no held-out prompts");
            return all;
        }
        // As the prompts data source splits: round(n * share) from the end, at least one each side.
        int held = Math.max(1, (int) Math.round(all.size() * heldOut));
        if (held >= all.size()) throw new IOException(file + ": " + all.size() + " prompts leave none for training at --held-out " + heldOut);
        return heldPart ? all.subList(all.size() - held, all.size()) : all.subList(0, all.size() - held);
    }

    /**
     * Samples {@code n} responses to each prompt, all {@code n} decoded together through one KV cache filled once
     * with the prompt; the draws for prompt {@code i} are seeded with {@code seed + i}, so a run repeats exactly.
     */
    static List<List<Sample>> sample(Model model, Tokenizer tokenizer, int eos, List<Prompt> prompts, SamplerChain chain, int n,
                                     int maxNewTokens, long seed, LexiconJudge judge) {
        List<List<Sample>> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] ids = tokenizer.encode(prompts.get(i).rendered());
            if (ids.length == 0) throw new IllegalArgumentException("prompt at line " + prompts.get(i).line() + " encodes to no tokens");
            if (ids.length >= model.config().maxPositions()) {
                throw new IllegalArgumentException("prompt at line " + prompts.get(i).line() + " has " + ids.length
                        + " tokens, leaving no room in the model's " + model.config().maxPositions() + " positions");
            }
            List<Sample> row = new ArrayList<>(n);
            for (int[] response : responses(model, ids, n, chain, maxNewTokens, eos, new SplittableRandom(seed + i))) {
                int textEnd = response.length > 0 && response[response.length - 1] == eos ? response.length - 1 : response.length;
                String text = GenerateCommand.decode(tokenizer, Arrays.copyOf(response, textEnd));
                row.add(new Sample(response, text, judge.score(text)));
            }
            out.add(row);
        }
        return out;
    }

    /** {@code n} responses to one prompt, each ending at {@code eos} (kept) or after {@code maxNewTokens}. */
    private static int[][] responses(Model model, int[] prompt, int n, SamplerChain chain, int maxNewTokens, int eos, RandomGenerator random) {
        int budget = Math.min(maxNewTokens, model.config().maxPositions() - prompt.length + 1);
        int[][] seq = new int[n][prompt.length + budget];
        int[] len = new int[n];
        boolean[] done = new boolean[n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(prompt, 0, seq[r], 0, prompt.length);
            len[r] = prompt.length;
        }
        try (NoGrad g = Tensor.noGrad()) {
            DecoderCache cache = model.newCache(prompt.length + budget); // sized once, as Generator sizes its caches
            Tensor logits = model.logits(model.decode(IntTensor.of(prompt.clone(), 1, prompt.length), null, null, null, cache));
            int v = logits.size(2);
            float[] last = logits.slice(1, prompt.length - 1, prompt.length).contiguous().toArray();
            float[] rows = new float[n * v];
            for (int r = 0; r < n; r++) System.arraycopy(last, 0, rows, r * v, v);
            cache.reorder(new int[n]); // the prompt's keys and values, once per response
            Tensor next = Tensor.of(rows, n, v);
            for (int step = 0; step < budget; step++) {
                int[][] history = new int[n][];
                for (int r = 0; r < n; r++) history[r] = Arrays.copyOf(seq[r], len[r]);
                int[] tokens = chain.next(next, new SamplingContext(history, random));
                boolean open = false;
                for (int r = 0; r < n; r++) {
                    if (done[r]) continue;
                    seq[r][len[r]++] = tokens[r];
                    done[r] = tokens[r] == eos;
                    open |= !done[r];
                }
                if (!open || step == budget - 1) break;
                // A finished row is fed on (its draws are ignored) so that all rows stay one batch.
                next = model.logits(model.decode(IntTensor.of(tokens, n, 1), null, null, null, cache)).reshape(n, v);
            }
        }
        int[][] out = new int[n][];
        for (int r = 0; r < n; r++) out[r] = Arrays.copyOfRange(seq[r], prompt.length, len[r]);
        return out;
    }

    /** A reward model's score of prompt and response together: its scalar head at the last token. */
    static double score(Model rewardModel, String head, int[] prompt, int[] response) {
        int[] seq = new int[prompt.length + response.length];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(response, 0, seq, prompt.length, response.length);
        int[] mask = new int[seq.length];
        Arrays.fill(mask, 1);
        try (NoGrad g = Tensor.noGrad()) {
            IntTensor ids = IntTensor.of(seq, 1, seq.length), m = IntTensor.of(mask, 1, seq.length);
            return rewardModel.head(head).forward(rewardModel.decode(ids, m, null, null), m).item();
        }
    }

    /** log p(response | prompt) under {@code model}: the sum of the response tokens' log-probabilities. */
    static double logProb(Model model, int[] prompt, int[] response) {
        int[] seq = new int[prompt.length + response.length];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(response, 0, seq, prompt.length, response.length);
        float[] lp;
        int v;
        try (NoGrad g = Tensor.noGrad()) {
            Tensor logits = model.forward(IntTensor.of(seq, 1, seq.length), null, null);
            v = logits.size(2);
            lp = logits.logSoftmax(-1).contiguous().toArray();
        }
        double sum = 0;
        for (int t = prompt.length - 1; t < seq.length - 1; t++) sum += lp[t * v + seq[t + 1]];
        return sum;
    }
}
