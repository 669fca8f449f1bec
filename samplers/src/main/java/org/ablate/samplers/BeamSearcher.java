package org.ablate.samplers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.ablate.api.BeamSearch;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;

/** The search behind the {@code beam-search} sampler; see {@link BeamSearch} for the rule. */
final class BeamSearcher implements Sampler, BeamSearch {
    private final int beams;
    private final double lengthPenalty;
    private final boolean earlyStopping;

    BeamSearcher(int beams, double lengthPenalty, boolean earlyStopping) {
        if (beams < 1) throw new IllegalArgumentException("beam-search: beams must be in [1, inf), got " + beams);
        this.beams = beams;
        this.lengthPenalty = lengthPenalty;
        this.earlyStopping = earlyStopping;
    }

    @Override public int beams() { return beams; }

    @Override public boolean picks() { return true; }

    @Override public int[] pick(Tensor logits, SamplingContext context) {
        float[][] rows = Rows.read("beam-search", logits);
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = Rows.argmax(rows[i]);
        return out;
    }

    /** One (hypothesis, token) continuation; {@code flat} = parent * V + token breaks score ties, lower first. */
    private record Candidate(double score, int parent, int token, long flat) {}

    private static final Comparator<Candidate> BEST_FIRST =
            Comparator.comparingDouble(Candidate::score).reversed().thenComparingLong(Candidate::flat);

    @Override public Hypothesis search(int[] start, int eos, int maxNewTokens, Step step) {
        if (start == null || start.length == 0) throw new IllegalArgumentException("beam-search: the start sequence is empty");
        if (maxNewTokens < 1) throw new IllegalArgumentException("beam-search: max_new_tokens must be >= 1, got " + maxNewTokens);
        List<int[]> live = List.of(start.clone());
        double[] liveScores = {0.0};
        int[] parents = {0};
        List<Hypothesis> finished = new ArrayList<>();
        int vocab = -1;
        for (int generated = 1; generated <= maxNewTokens; generated++) {
            float[][] rows = step.scores(live, parents);
            if (rows == null || rows.length != live.size()) {
                throw new IllegalStateException("beam-search: the step returned " + (rows == null ? "null" : rows.length + " rows")
                        + " for " + live.size() + " hypotheses");
            }
            if (vocab < 0) vocab = rows[0].length;
            int want = 2 * beams;
            PriorityQueue<Candidate> worstFirst = new PriorityQueue<>(BEST_FIRST.reversed());
            for (int i = 0; i < rows.length; i++) {
                if (rows[i].length != vocab) {
                    throw new IllegalStateException("beam-search: step row " + i + " has " + rows[i].length + " scores, expected " + vocab);
                }
                double[] logp = Rows.logSoftmax(rows[i]);
                for (int t = 0; t < vocab; t++) {
                    Candidate c = new Candidate(liveScores[i] + logp[t], i, t, (long) i * vocab + t);
                    if (worstFirst.size() < want) worstFirst.add(c);
                    else if (BEST_FIRST.compare(c, worstFirst.peek()) < 0) { worstFirst.poll(); worstFirst.add(c); }
                }
            }
            List<Candidate> ranked = new ArrayList<>(worstFirst);
            ranked.sort(BEST_FIRST);

            List<int[]> nextLive = new ArrayList<>();
            double[] nextScores = new double[beams];
            int[] nextParents = new int[beams];
            for (int rank = 0; rank < ranked.size() && nextLive.size() < beams; rank++) {
                Candidate c = ranked.get(rank);
                int[] seq = Arrays.copyOf(live.get(c.parent()), live.get(c.parent()).length + 1);
                seq[seq.length - 1] = c.token();
                if ((eos >= 0 && c.token() == eos) || generated == maxNewTokens) {
                    if (rank < beams) addFinished(finished, new Hypothesis(seq, c.score() / Math.pow(generated, lengthPenalty)));
                    continue;
                }
                nextScores[nextLive.size()] = c.score();
                nextParents[nextLive.size()] = c.parent();
                nextLive.add(seq);
            }
            if (generated == maxNewTokens || nextLive.isEmpty()) break;
            if (finished.size() >= beams) {
                if (earlyStopping) break;
                // No live hypothesis can overtake the worst finished one at its current length.
                double bestLive = nextScores[0] / Math.pow(generated, lengthPenalty);
                if (finished.get(finished.size() - 1).score() >= bestLive) break;
            }
            live = nextLive;
            liveScores = Arrays.copyOf(nextScores, nextLive.size());
            parents = Arrays.copyOf(nextParents, nextLive.size());
        }
        if (finished.isEmpty()) throw new IllegalStateException("beam-search: no hypothesis finished");
        return finished.get(0);
    }

    // Kept sorted best first and at most `beams` long; a later equal score does not displace an earlier one.
    private void addFinished(List<Hypothesis> finished, Hypothesis h) {
        int at = 0;
        while (at < finished.size() && finished.get(at).score() >= h.score()) at++;
        finished.add(at, h);
        if (finished.size() > beams) finished.remove(finished.size() - 1);
    }

    @Override public String toString() {
        return "beam-search beams=" + beams + " length_penalty=" + lengthPenalty + " early_stopping=" + earlyStopping;
    }
}
