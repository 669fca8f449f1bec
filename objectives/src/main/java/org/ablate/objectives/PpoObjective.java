package org.ablate.objectives;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

import org.ablate.api.Batch;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Objective;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.metrics.LexiconJudge;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * The PPO loop of {@link PpoProvider}: rollouts, KL-shaped rewards and GAE ({@link Ppo#advantages}), and a
 * queue of minibatch updates ({@link Ppo#losses}) drained one per trainer step. The queue is the objective's
 * only state (with an adaptive kl_coef); a resumed run starts a fresh rollout at the step it resumes from, drawn
 * with that step's random numbers, which is what the uninterrupted run does when the step ends a rollout (a
 * multiple of ppo_epochs × minibatches): resumed there without adaptive_kl, a run repeats bit for bit.
 */
final class PpoObjective implements Objective {
    private final Network reference, rewardModel;
    private final Tokenizer tokenizer;
    private final LexiconJudge judge;
    private final String head, valueHead, rewardHead;
    private final int eos, pad, epochs, minibatches, maxNew;
    private final double gamma, lam, cliprange, cliprangeValue, vfCoef, temperature, klTarget;
    private final boolean adaptive;
    private final int horizon;
    private double klCoef;
    private final Deque<Rollout> queue = new ArrayDeque<>();
    private Map<String, Double> rolloutStats = Map.of();

    PpoObjective(Params p, Network reference, Network rewardModel, Tokenizer tokenizer, LexiconJudge judge) {
        this.reference = reference;
        this.rewardModel = rewardModel;
        this.tokenizer = tokenizer;
        this.judge = judge;
        head = p.getString("head");
        valueHead = p.getString("value_head");
        rewardHead = p.getString("reward_head");
        eos = tokenizer.specialTokens().eos();
        pad = Math.max(0, tokenizer.specialTokens().pad());
        epochs = p.getInt("ppo_epochs");
        minibatches = p.getInt("minibatches");
        maxNew = p.getInt("max_new_tokens");
        gamma = p.getDouble("gamma");
        lam = p.getDouble("lam");
        cliprange = p.getDouble("cliprange");
        cliprangeValue = p.getDouble("cliprange_value");
        vfCoef = p.getDouble("vf_coef");
        temperature = p.getDouble("temperature");
        klCoef = p.getDouble("kl_coef");
        adaptive = p.getBoolean("adaptive_kl");
        klTarget = p.getDouble("kl_target");
        horizon = p.getInt("kl_horizon");
        if (rewardModel == null && judge == null) throw new IllegalArgumentException("objective.reward: \"judge\" needs objective.judge, a lexicon file");
        Head rm = rewardModel == null ? null : rewardModel.head(rewardHead);
        if (rm != null && rm.output() != HeadOutput.SEQUENCE_SCALAR) {
            throw new IllegalArgumentException("objective.reward_head: the reward model's head \"" + rewardHead + "\" gives " + rm.output()
                    + ", expected SEQUENCE_SCALAR (a scalar head at the last token)");
        }
    }

    /**
     * Rows of a rollout: the sampled sequences (prompt then response) and what the updates need, all {@code [B, L]}.
     *
     * @param labels    the next token where it belongs to the response, else {@link Batch#IGNORE}
     * @param response  1 where {@code labels} counts
     */
    private record Rollout(IntTensor ids, IntTensor mask, IntTensor labels, Tensor response, Tensor logprobs, Tensor values,
                           Tensor returns, Tensor advantages) {}

    @Override public Loss loss(Network net, Batch batch, RandomGenerator random) {
        if (!Tensor.gradEnabled()) return evaluate(net, batch, random);
        if (queue.isEmpty()) {
            // The rollout feeds the next steps too, so it must not come from this step's workspace.
            try (Workspace.Step keep = Workspace.suspend()) {
                fill(net, batch, random);
            }
        }
        Rollout mb = queue.poll();
        Tensor hidden = net.decode(mb.ids(), mb.mask(), null, null);
        Tensor logits = policyHead(net).forward(hidden, mb.mask());
        Tensor logprobs = PolicyMath.tokenLogProbs(logits, mb.labels());
        Tensor vpreds = valueHead(net).forward(hidden, mb.mask());
        Ppo.Losses l = Ppo.losses(logprobs, mb.logprobs(), mb.advantages(), vpreds, mb.values(), mb.returns(), mb.response(),
                cliprange, cliprangeValue, vfCoef);
        Map<String, Double> metrics = new LinkedHashMap<>(rolloutStats);
        try (NoGrad g = Tensor.noGrad()) {
            Tensor lg = logits.detach();
            Tensor entropy = lg.softmax(-1).mul(lg.logSoftmax(-1)).sum(2, false).neg();
            metrics.put("entropy", (double) PolicyMath.maskedMean(entropy, mb.response()).item());
        }
        metrics.put("clipfrac", l.clipfrac());
        metrics.put("approx_kl", l.approxKl());
        metrics.put("pg_loss", (double) l.pgLoss().item());
        metrics.put("vf_loss", (double) l.vfLoss().item());
        return new Loss(l.loss(), (long) mb.response().sum().item(), metrics);
    }

    /** Samples, scores and queues {@code ppo_epochs × minibatches} updates over a new rollout of this batch's prompts. */
    private void fill(Network net, Batch batch, RandomGenerator random) {
        Sampled s = sample(net, batch, random);
        Rollout all;
        double meanScore, meanKl;
        try (NoGrad g = Tensor.noGrad(); Dropout d = Dropout.evaluation()) {
            Tensor hidden = net.decode(s.ids, s.mask, null, null);
            Tensor logprobs = PolicyMath.tokenLogProbs(policyHead(net).forward(hidden, s.mask), s.labels);
            Tensor values = valueHead(net).forward(hidden, s.mask);
            Tensor refLogprobs = PolicyMath.tokenLogProbs(policyHead(reference).forward(reference.decode(s.ids, s.mask, null, null), s.mask), s.labels);
            Tensor score = score(s);
            Ppo.Advantages a = Ppo.advantages(logprobs, refLogprobs, values, s.response, score, klCoef, gamma, lam);
            all = new Rollout(s.ids, s.mask, s.labels, s.response, logprobs, values, a.returns(), a.whitened());
            meanScore = score.mean().item();
            meanKl = logprobs.sub(refLogprobs).mul(s.response).sum().item() / s.ids.size(0);
        }
        Map<String, Double> stats = new LinkedHashMap<>();
        stats.put("reward", meanScore);
        stats.put("kl", meanKl);
        stats.put("kl_coef", klCoef);
        stats.put("response_length", s.response.sum().item() / (double) s.ids.size(0));
        if (judge != null) stats.put("judge", judgeScore(s));
        rolloutStats = stats;
        if (adaptive) { // Ziegler et al. 2019, as TRL's AdaptiveKLController
            double error = Math.max(-0.2, Math.min(0.2, meanKl / klTarget - 1));
            klCoef *= 1 + error * s.ids.size(0) / horizon;
        }
        int b = s.ids.size(0);
        int[] order = new int[b];
        for (int i = 0; i < b; i++) order[i] = i;
        for (int e = 0; e < epochs; e++) {
            for (int i = b - 1; i > 0; i--) { int j = random.nextInt(i + 1), t = order[i]; order[i] = order[j]; order[j] = t; }
            for (int m = 0; m < minibatches; m++) {
                int from = m * b / minibatches, to = (m + 1) * b / minibatches;
                if (to > from) queue.add(rows(all, java.util.Arrays.copyOfRange(order, from, to)));
            }
        }
    }

    /** Held out: responses to the prompts, scored; the loss is −(score − kl_coef·KL), the quantity PPO maximises. */
    private Loss evaluate(Network net, Batch batch, RandomGenerator random) {
        Sampled s = sample(net, batch, random);
        try (Dropout d = Dropout.evaluation()) {
            Tensor logprobs = PolicyMath.tokenLogProbs(policyHead(net).forward(net.decode(s.ids, s.mask, null, null), s.mask), s.labels);
            Tensor refLogprobs = PolicyMath.tokenLogProbs(policyHead(reference).forward(reference.decode(s.ids, s.mask, null, null), s.mask), s.labels);
            Tensor score = score(s);
            int b = s.ids.size(0);
            double kl = logprobs.sub(refLogprobs).mul(s.response).sum().item() / b, reward = score.mean().item();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("reward", reward);
            metrics.put("kl", kl);
            metrics.put("response_length", s.response.sum().item() / (double) b);
            if (judge != null) metrics.put("judge", judgeScore(s));
            return new Loss(Tensor.scalar((float) -(reward - klCoef * kl)), b, metrics);
        }
    }

    /** The reward of each sampled row, {@code [B]}: the reward model's score, or without one the judge's. */
    private Tensor score(Sampled s) {
        if (rewardModel != null) return rewardModel.head(rewardHead).forward(rewardModel.decode(s.ids, s.mask, null, null), s.mask);
        float[] scores = judgeScores(s);
        return Tensor.of(scores, scores.length);
    }

    /** The judge's score of each sampled response's text (the end-of-sequence token left out). */
    private float[] judgeScores(Sampled s) {
        float[] out = new float[s.responses().length];
        for (int i = 0; i < out.length; i++) {
            int[] r = s.responses()[i];
            int n = r.length > 0 && r[r.length - 1] == eos ? r.length - 1 : r.length;
            out[i] = judge.score(tokenizer.decode(java.util.Arrays.copyOf(r, n), true)).score();
        }
        return out;
    }

    /** The judge's mean score of the sampled responses. */
    private double judgeScore(Sampled s) {
        double sum = 0;
        for (float x : judgeScores(s)) sum += x;
        return sum / s.responses().length;
    }

    /** Sampled sequences, padded on the right, and each row's response ids. */
    private record Sampled(IntTensor ids, IntTensor mask, IntTensor labels, Tensor response, int[][] responses) {}

    /**
     * Samples up to {@code max_new_tokens} after each prompt, stopping a row at the end-of-sequence token. All rows
     * are decoded together, padded on the right: with causal attention a row's next-token logits at its own last
     * position do not depend on the padding after it.
     */
    private Sampled sample(Network net, Batch batch, RandomGenerator random) {
        IntTensor prompts = batch.get("input_ids"), promptMask = batch.optional("attention_mask");
        int b = prompts.size(0), w = prompts.size(1);
        int[][] seq = new int[b][];
        int[] len = new int[b], promptLen = new int[b];
        boolean[] done = new boolean[b];
        for (int r = 0; r < b; r++) {
            int n = 0;
            for (int t = 0; t < w; t++) if (promptMask == null || promptMask.get(r, t) != 0) n = t + 1;
            seq[r] = new int[n + maxNew];
            System.arraycopy(prompts.data(), r * w, seq[r], 0, n);
            len[r] = promptLen[r] = n;
        }
        Head lm = policyHead(net);
        for (int step = 0; step < maxNew; step++) {
            int width = 0;
            for (int r = 0; r < b; r++) width = Math.max(width, len[r]);
            IntTensor[] im = pack(seq, len, width);
            float[] logits;
            int v;
            try (NoGrad g = Tensor.noGrad(); Dropout d = Dropout.evaluation()) {
                Tensor lg = lm.forward(net.decode(im[0], im[1], null, null), im[1]);
                v = lg.size(2);
                logits = lg.contiguous().toArray();
            }
            boolean any = false;
            for (int r = 0; r < b; r++) {
                if (done[r]) continue;
                int token = draw(logits, (r * width + len[r] - 1) * v, v, random);
                seq[r][len[r]++] = token;
                if (token == eos) done[r] = true;
                any |= !done[r];
            }
            if (!any) break;
        }
        int width = 0;
        for (int r = 0; r < b; r++) width = Math.max(width, len[r]);
        IntTensor[] im = pack(seq, len, width);
        int[] labels = new int[b * width];
        float[] response = new float[b * width];
        java.util.Arrays.fill(labels, Batch.IGNORE);
        int[][] responses = new int[b][];
        for (int r = 0; r < b; r++) {
            responses[r] = java.util.Arrays.copyOfRange(seq[r], promptLen[r], len[r]);
            for (int t = Math.max(0, promptLen[r] - 1); t < len[r] - 1; t++) {
                labels[r * width + t] = seq[r][t + 1];
                response[r * width + t] = 1f;
            }
        }
        return new Sampled(im[0], im[1], IntTensor.of(labels, b, width), Tensor.of(response, b, width), responses);
    }

    private IntTensor[] pack(int[][] seq, int[] len, int width) {
        int b = seq.length;
        int[] ids = new int[b * width], mask = new int[b * width];
        if (pad != 0) java.util.Arrays.fill(ids, pad);
        for (int r = 0; r < b; r++) {
            System.arraycopy(seq[r], 0, ids, r * width, len[r]);
            java.util.Arrays.fill(mask, r * width, r * width + len[r], 1);
        }
        return new IntTensor[] {IntTensor.of(ids, b, width), IntTensor.of(mask, b, width)};
    }

    /** A draw from softmax(logits / temperature). */
    private int draw(float[] logits, int offset, int v, RandomGenerator random) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v; k++) max = Math.max(max, logits[offset + k]);
        double[] p = new double[v];
        double z = 0;
        for (int k = 0; k < v; k++) z += p[k] = Math.exp((logits[offset + k] - max) / temperature);
        double u = random.nextDouble() * z;
        for (int k = 0; k < v; k++) {
            u -= p[k];
            if (u < 0) return k;
        }
        return v - 1;
    }

    private static Rollout rows(Rollout a, int[] rows) {
        return new Rollout(rows(a.ids(), rows), rows(a.mask(), rows), rows(a.labels(), rows), rows(a.response(), rows),
                rows(a.logprobs(), rows), rows(a.values(), rows), rows(a.returns(), rows), rows(a.advantages(), rows));
    }

    private static IntTensor rows(IntTensor t, int[] rows) {
        int w = t.size(1);
        int[] out = new int[rows.length * w];
        for (int i = 0; i < rows.length; i++) System.arraycopy(t.data(), rows[i] * w, out, i * w, w);
        return IntTensor.of(out, rows.length, w);
    }

    private static Tensor rows(Tensor t, int[] rows) {
        int w = t.size(1);
        float[] src = t.contiguous().toArray(), out = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) System.arraycopy(src, rows[i] * w, out, i * w, w);
        return Tensor.of(out, rows.length, w);
    }

    private Head policyHead(Network net) {
        return PairBatch.head(net, head, HeadOutput.TOKEN_LOGITS, "ppo", "name an lm head with objective.head");
    }

    private Head valueHead(Network net) {
        return PairBatch.head(net, valueHead, HeadOutput.TOKEN_SCALAR, "ppo", "give the policy a value head, e.g. output_heads: {"
                + valueHead + ": {id: scalar, at: every}}");
    }
}
