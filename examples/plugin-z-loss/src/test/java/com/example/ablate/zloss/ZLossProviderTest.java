package com.example.ablate.zloss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.ablate.api.Batch;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Loss;
import org.ablate.api.Network;
import org.ablate.api.Objective;
import org.ablate.platform.ParamValidation;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The z-loss against a hand computation in doubles and its gradient against finite differences. */
class ZLossProviderTest {
    private static final int B = 2, T = 3, V = 5;
    private static final int[] LABELS = {1, 4, Batch.IGNORE, 0, 2, 3};
    private static final float WEIGHT = 0.5f;

    /** A network whose decoder output is the logits themselves and whose head passes them through. */
    private static Network fixed(Tensor logits) {
        return new Network() {
            @Override public boolean hasEncoder() { return false; }
            @Override public boolean hasDecoder() { return true; }
            @Override public int vocabSize() { return V; }
            @Override public Tensor encode(IntTensor ids, IntTensor typeIds, IntTensor padding) { throw new UnsupportedOperationException(); }
            @Override public Tensor decode(IntTensor ids, IntTensor padding, Tensor memory, IntTensor memoryPadding) { return logits; }
            @Override public Head head(String name) {
                return new Head() {
                    @Override public Tensor forward(Tensor hidden, IntTensor padding) { return hidden; }
                    @Override public HeadOutput output() { return HeadOutput.TOKEN_LOGITS; }
                };
            }
            @Override public Set<String> heads() { return Set.of("lm_head"); }
        };
    }

    private static Loss loss(Tensor logits) {
        var provider = new ZLossProvider();
        Objective o = provider.create(ParamValidation.validate("z-loss", provider.parameters(), Map.of("weight", (double) WEIGHT)));
        Batch batch = new Batch(Map.of("input_ids", IntTensor.of(new int[B * T], B, T), "labels", IntTensor.of(LABELS, B, T)), B * T);
        return o.loss(fixed(logits), batch, new SplittableRandom(0));
    }

    private static double byHand(float[] x) {
        double ce = 0, z2 = 0;
        int counted = 0;
        for (int r = 0; r < B * T; r++) {
            double logZ = 0, max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < V; j++) max = Math.max(max, x[r * V + j]);
            for (int j = 0; j < V; j++) logZ += Math.exp(x[r * V + j] - max);
            logZ = max + Math.log(logZ);
            z2 += logZ * logZ;
            if (LABELS[r] != Batch.IGNORE) { ce += logZ - x[r * V + LABELS[r]]; counted++; }
        }
        return ce / counted + WEIGHT * z2 / (B * T);
    }

    @Test
    void equalsCrossEntropyPlusTheWeightedSquaredLogNormaliser() {
        float[] x = new float[B * T * V];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 2 + 1);
        Tensor logits = Tensor.of(x.clone(), B, T, V).requiresGrad(true);
        Loss l = loss(logits);
        assertEquals(byHand(x), l.value().item(), 1e-5);
        assertEquals(5, l.count(), "the ignored label is not counted");
        assertTrue(l.metrics().containsKey("log_z"));

        l.value().backward();
        float[] g = logits.grad().toArray();
        double h = 1e-3;
        for (int i = 0; i < x.length; i++) {
            float[] up = x.clone(), down = x.clone();
            up[i] += (float) h;
            down[i] -= (float) h;
            double fd = (byHand(up) - byHand(down)) / (2 * h);
            assertEquals(fd, g[i], 2e-3, "gradient of logit " + i);
        }
    }

    @Test
    void softCapBoundsTheLogits() {
        var provider = new SoftCapLmProvider();
        assertEquals("softcap-lm", provider.id());
        assertTrue(provider.parameters().stream().anyMatch(p -> p.name().equals("cap")));
    }
}
