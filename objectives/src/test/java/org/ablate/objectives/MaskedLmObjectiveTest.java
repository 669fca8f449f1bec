package org.ablate.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.Batch;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Objective;
import org.ablate.api.SpecialTokens;
import org.ablate.api.testing.GradCheck;
import org.ablate.platform.ComponentRegistry;
import org.ablate.api.ComponentKind;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The masked-LM loss: its value, that unchosen and padded positions get exactly zero gradient, and its checks. */
class MaskedLmObjectiveTest {
    static final int V = 30, E = 8, B = 4, L = 12;
    static final SpecialTokens SP = new SpecialTokens(0, -1, -1, 4, 3, 1, 2);

    static Objective objective() {
        ComponentRegistry reg = ComponentRegistry.discover();
        var provider = reg.objective("masked-lm");
        return provider.create(reg.params(ComponentKind.OBJECTIVE, "masked-lm", Map.of()), context(Fixtures.tokenizer(V, SP)));
    }

    static Fixtures.PositionwiseNet net(boolean encoder, boolean decoder) {
        SplittableRandom r = new SplittableRandom(5);
        return new Fixtures.PositionwiseNet(Tensor.randn(r, 1f, V, E).requiresGrad(true), Tensor.randn(r, 1f, B, L, E).requiresGrad(true),
                Tensor.randn(r, 0.5f, V, E).requiresGrad(true), Tensor.randn(r, 0.1f, V).requiresGrad(true), encoder, decoder, HeadOutput.TOKEN_LOGITS);
    }

    static Batch batch() {
        int[][] b = MaskingTest.batch(B, L, 9);
        // MaskingTest's ids live in [0, 50); fold them into this vocabulary, keeping the specials 0..3 where they are.
        int[] ids = b[0].clone();
        for (int i = 0; i < ids.length; i++) if (ids[i] > 3) ids[i] = 5 + ids[i] % (V - 5);
        return new Batch(Map.of("input_ids", IntTensor.of(ids, B, L), "attention_mask", IntTensor.of(b[1], B, L)), B * L);
    }

    @Test void lossIsTheMeanCrossEntropyOverChosenPositionsComputedByHand() {
        Objective o = objective();
        Fixtures.PositionwiseNet net = net(true, false);
        Batch batch = batch();
        Loss loss = o.loss(net, batch, new SplittableRandom(77));
        // The same draw again, to know which positions were chosen and what the encoder saw.
        Masking.Masked m = ((MaskedLmProvider.MaskedLm) o).masking().apply(batch.get("input_ids").data(), batch.get("attention_mask").data(),
                new SplittableRandom(77));
        assertTrue(m.chosen() > 0);
        assertEquals(m.chosen(), loss.count());
        float[] table = net.table().toArray(), pos = net.position().toArray(), w = net.weight().toArray(), bias = net.bias().toArray();
        double sum = 0;
        int right = 0;
        for (int i = 0; i < B * L; i++) {
            if (m.labels()[i] == Batch.IGNORE) continue;
            double[] h = new double[E];
            for (int k = 0; k < E; k++) h[k] = table[m.inputs()[i] * E + k] + pos[i * E + k];
            double max = Double.NEGATIVE_INFINITY;
            double[] z = new double[V];
            int arg = 0;
            for (int v = 0; v < V; v++) {
                z[v] = bias[v];
                for (int k = 0; k < E; k++) z[v] += h[k] * w[v * E + k];
                if (z[v] > max) { max = z[v]; arg = v; }
            }
            double s = 0;
            for (int v = 0; v < V; v++) s += Math.exp(z[v] - max);
            sum += max + Math.log(s) - z[m.labels()[i]];
            if (arg == m.labels()[i]) right++;
        }
        assertEquals(sum / m.chosen(), loss.value().item(), 1e-5 * Math.max(1, Math.abs(sum / m.chosen())));
        assertEquals(right / (double) m.chosen(), loss.metrics().get("accuracy"), 1e-12);
    }

    @Test void unchosenAndPaddedPositionsGetExactlyZeroGradient() {
        Objective o = objective();
        Fixtures.PositionwiseNet net = net(true, false);
        Batch batch = batch();
        o.loss(net, batch, new SplittableRandom(77)).value().backward();
        Masking.Masked m = ((MaskedLmProvider.MaskedLm) o).masking().apply(batch.get("input_ids").data(), batch.get("attention_mask").data(),
                new SplittableRandom(77));
        float[] g = net.position().grad().toArray();
        int zeroRows = 0;
        for (int i = 0; i < B * L; i++) {
            boolean allZero = true;
            for (int k = 0; k < E; k++) allZero &= g[i * E + k] == 0f;
            if (m.labels()[i] == Batch.IGNORE) {
                assertTrue(allZero, "position " + i + " was not chosen but has a gradient");
                zeroRows++;
            } else {
                assertTrue(!allZero, "chosen position " + i + " has no gradient");
            }
        }
        assertTrue(zeroRows > 0 && zeroRows < B * L);
    }

    @Test void gradientsAgreeWithFiniteDifferences() {
        Objective o = objective();
        Fixtures.PositionwiseNet net = net(true, false);
        Batch batch = batch();
        GradCheck.check("masked-lm", () -> o.loss(net, batch, new SplittableRandom(77)).value(),
                Map.of("position", net.position(), "weight", net.weight(), "table", net.table()), 2e-3, 2e-2);
    }

    @Test void theSameSeedGivesTheSameLossAnotherSeedAnotherOne() {
        Objective o = objective();
        Fixtures.PositionwiseNet net = net(true, false);
        Batch batch = batch();
        float a = o.loss(net, batch, new SplittableRandom(1)).value().item();
        assertEquals(a, o.loss(net, batch, new SplittableRandom(1)).value().item());
        assertNotEquals(a, o.loss(net, batch, new SplittableRandom(2)).value().item());
    }

    @Test void refusesDecoderModelsAndTokenizersWithoutMask() {
        Objective o = objective();
        var e = assertThrows(IllegalArgumentException.class, () -> o.check(net(false, true)));
        assertTrue(e.getMessage().contains("encoder-only") && e.getMessage().contains("decoder-only"), e.getMessage());
        ComponentRegistry reg = ComponentRegistry.discover();
        var noMask = new SpecialTokens(0, 1, 2, 3, -1, -1, -1);
        var e2 = assertThrows(IllegalArgumentException.class, () -> reg.objective("masked-lm")
                .create(reg.params(ComponentKind.OBJECTIVE, "masked-lm", Map.of()), context(Fixtures.tokenizer(V, noMask))));
        assertTrue(e2.getMessage().contains("mask token"), e2.getMessage());
    }

    /** What a run gives the objective: here only a tokenizer. */
    static org.ablate.api.ObjectiveContext context(org.ablate.api.Tokenizer tokenizer) {
        return new org.ablate.api.ObjectiveContext() {
            @Override public org.ablate.api.Tokenizer tokenizer() { return tokenizer; }
            @Override public org.ablate.api.Network frozen(String field, String path) { throw new UnsupportedOperationException(field); }
        };
    }
}
