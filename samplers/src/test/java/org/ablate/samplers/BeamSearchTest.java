package org.ablate.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ablate.api.BeamSearch;
import org.junit.jupiter.api.Test;

class BeamSearchTest {
    private static BeamSearch beam(int beams, double lengthPenalty, boolean early) {
        return (BeamSearch) SamplerConformanceTest.sampler("beam-search",
                Map.of("beams", beams, "length_penalty", lengthPenalty, "early_stopping", early));
    }

    /** A toy model: next-token log-probabilities depend only on the last token, from a fixed table. */
    private static BeamSearch.Step markov(double[][] probs) {
        return (hyps, parents) -> {
            float[][] out = new float[hyps.size()][];
            for (int i = 0; i < hyps.size(); i++) {
                int[] h = hyps.get(i);
                double[] p = probs[h[h.length - 1]];
                out[i] = new float[p.length];
                for (int j = 0; j < p.length; j++) out[i][j] = (float) Math.log(p[j]);
            }
            return out;
        };
    }

    @Test void oneBeamIsGreedy() {
        double[][] table = {{0.1, 0.6, 0.3}, {0.2, 0.3, 0.5}, {0.5, 0.25, 0.25}};
        BeamSearch.Hypothesis h = beam(1, 1.0, false).search(new int[] {0}, -1, 4, markov(table));
        assertArrayEquals(new int[] {0, 1, 2, 0, 1}, h.tokens());
    }

    @Test void lengthNormalisationLetsALongerHypothesisBeatAnEarlyEos() {
        // From token 0: eos (1) with 0.4, token 2 with 0.35, token 3 with 0.25; from 2 almost surely eos.
        double[][] table = {
                {0.0001, 0.4, 0.35, 0.2499},
                {0.25, 0.25, 0.25, 0.25},
                {0.0001, 0.9997, 0.0001, 0.0001},
                {0.0001, 0.9997, 0.0001, 0.0001}};
        BeamSearch.Hypothesis normalised = beam(2, 1.0, true).search(new int[] {0}, 1, 5, markov(table));
        assertArrayEquals(new int[] {0, 2, 1}, normalised.tokens());
        assertEquals((Math.log(0.35) + Math.log(0.9997)) / 2, normalised.score(), 1e-6);
        BeamSearch.Hypothesis unnormalised = beam(2, 0.0, true).search(new int[] {0}, 1, 5, markov(table));
        assertArrayEquals(new int[] {0, 1}, unnormalised.tokens());
        assertEquals(Math.log(0.4), unnormalised.score(), 1e-6);
    }

    @Test void parentsNameTheHypothesisEachOneExtends() {
        double[][] table = new double[5][5];
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) table[i][j] = (1 + ((i * 7 + j * 3) % 5)) / 15.0;
        BeamSearch.Step inner = markov(table);
        List<List<int[]>> calls = new ArrayList<>();
        List<int[]> parentCalls = new ArrayList<>();
        BeamSearch.Step recording = (hyps, parents) -> {
            calls.add(hyps.stream().map(int[]::clone).toList());
            parentCalls.add(parents.clone());
            return inner.scores(hyps, parents);
        };
        BeamSearch.Hypothesis h = beam(3, 1.0, false).search(new int[] {4, 0}, -1, 6, recording);
        assertEquals(8, h.tokens().length);
        assertArrayEquals(new int[] {0}, parentCalls.get(0));
        assertEquals(1, calls.get(0).size(), "the first step expands only the start sequence");
        for (int c = 1; c < calls.size(); c++) {
            assertEquals(3, calls.get(c).size());
            for (int i = 0; i < calls.get(c).size(); i++) {
                int[] hyp = calls.get(c).get(i);
                int[] parent = calls.get(c - 1).get(parentCalls.get(c)[i]);
                assertArrayEquals(parent, Arrays.copyOf(hyp, hyp.length - 1), "hypothesis " + i + " of call " + c);
            }
        }
    }

    @Test void findsTheBestSequenceWhenBeamsCoverEveryPath() {
        // Three tokens, two steps, no eos: 9 beams cover all 9 paths, so the answer is the best full path.
        double[][] table = {{0.5, 0.3, 0.2}, {0.05, 0.05, 0.9}, {0.4, 0.3, 0.3}};
        BeamSearch.Hypothesis h = beam(9, 1.0, false).search(new int[] {0}, -1, 2, markov(table));
        // paths from 0: 0,0 = .25; 0,1 = .15; 1,2 = .27; ... best is 1 then 2.
        assertArrayEquals(new int[] {0, 1, 2}, h.tokens());
        assertTrue(h.score() < 0);
    }
}
