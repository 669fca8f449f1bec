package org.ablate.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.Batch;
import org.ablate.api.ComponentKind;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Objective;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The classification loss against a hand computation, ignored rows, and its one-line refusals. */
class ClassificationObjectiveTest {
    static final int V = 12, E = 6, B = 5, L = 4, C = 3;

    static Objective objective() {
        ComponentRegistry reg = ComponentRegistry.discover();
        return reg.objective("classification").create(reg.params(ComponentKind.OBJECTIVE, "classification", Map.of()));
    }

    static Fixtures.PositionwiseNet net(boolean decoder, HeadOutput out) {
        SplittableRandom r = new SplittableRandom(3);
        return new Fixtures.PositionwiseNet(Tensor.randn(r, 1f, V, E), Tensor.randn(r, 1f, B, L, E), Tensor.randn(r, 0.5f, C, E),
                Tensor.randn(r, 0.1f, C), true, decoder, out);
    }

    static Batch batch(int... labels) {
        SplittableRandom r = new SplittableRandom(8);
        int[] ids = new int[B * L];
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(V);
        return new Batch(Map.of("input_ids", IntTensor.of(ids, B, L), "labels", IntTensor.of(labels, B)), B * L);
    }

    @Test void lossIsMeanCrossEntropyOverLabelledRows() {
        Fixtures.PositionwiseNet net = net(false, HeadOutput.SEQUENCE_LOGITS);
        int[] labels = {0, 2, Batch.IGNORE, 1, 2};
        Batch batch = batch(labels);
        Loss loss = objective().loss(net, batch, new SplittableRandom(0));
        float[] t = net.table().toArray(), p = net.position().toArray(), w = net.weight().toArray(), b = net.bias().toArray();
        double sum = 0;
        int right = 0;
        for (int row = 0; row < B; row++) {
            if (labels[row] == Batch.IGNORE) continue;
            int id = batch.get("input_ids").get(row, 0);
            double[] z = new double[C];
            int arg = 0;
            for (int c = 0; c < C; c++) {
                z[c] = b[c];
                for (int k = 0; k < E; k++) z[c] += (t[id * E + k] + p[row * L * E + k]) * w[c * E + k];
                if (z[c] > z[arg]) arg = c;
            }
            double s = 0;
            for (double v : z) s += Math.exp(v - z[arg]);
            sum += z[arg] + Math.log(s) - z[labels[row]];
            if (arg == labels[row]) right++;
        }
        assertEquals(4, loss.count());
        assertEquals(sum / 4, loss.value().item(), 1e-5);
        assertEquals(right / 4.0, loss.metrics().get("accuracy"), 1e-12);
    }

    @Test void refusesLabelsTheHeadCannotScoreAndModelsItCannotTrain() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> objective().loss(net(false, HeadOutput.SEQUENCE_LOGITS), batch(0, 1, 3, 0, 0), new SplittableRandom(0)));
        assertTrue(e.getMessage().contains("label id 3") && e.getMessage().contains("3 classes"), e.getMessage());
        var d = assertThrows(IllegalArgumentException.class, () -> objective().check(net(true, HeadOutput.SEQUENCE_LOGITS)));
        assertTrue(d.getMessage().contains("encoder-only"), d.getMessage());
        var h = assertThrows(IllegalArgumentException.class, () -> objective().check(net(false, HeadOutput.TOKEN_LOGITS)));
        assertTrue(h.getMessage().contains("per-sequence logits"), h.getMessage());
    }
}
