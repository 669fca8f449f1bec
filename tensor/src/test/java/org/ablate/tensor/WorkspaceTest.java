package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkspaceTest {
    /** A small network with every kind of reuse backward has to get right: a residual, a tensor used twice, views. */
    private record Net(Tensor w1, Tensor b1, Tensor w2, Tensor gamma, Tensor beta) {
        static Net init(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            return new Net(Tensor.randn(r, 0.2f, 48, 32).requiresGrad(true), Tensor.randn(r, 0.1f, 48).requiresGrad(true),
                    Tensor.randn(r, 0.2f, 32, 48).requiresGrad(true), Tensor.ones(32).requiresGrad(true), Tensor.zeros(32).requiresGrad(true));
        }

        List<Tensor> params() { return List.of(w1, b1, w2, gamma, beta); }

        Tensor loss(Tensor x, int[] targets) {
            Tensor h = x.layerNorm(gamma, beta, 1e-5f);
            Tensor u = h.linear(w1, b1).geluTanh();
            Tensor hr = h.reshape(4, 16, 32);
            Tensor mixed = hr.matmul(hr.transpose(1, 2)).softmax(-1).matmul(hr).reshape(64, 32); // batched products
            Tensor y = x.add(u.linear(w2, null)).add(h.mul(h)).add(mixed) // residual; h used three times
                    .dropout(0.1f, new SplittableRandom(3), true);
            Tensor logits = y.reshape(4, 16, 32).transpose(0, 1).contiguous().reshape(64, 32);
            return Tensor.crossEntropy(logits, IntTensor.of(targets, 64), -1, 0f);
        }
    }

    /** Losses and final weights of {@code steps} SGD steps, with or without a workspace. */
    private static List<float[]> train(Workspace workspace, int steps) {
        Net net = Net.init(7);
        SplittableRandom data = new SplittableRandom(11);
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            Tensor x = Tensor.randn(data, 1f, 64, 32);
            int[] targets = data.ints(64, 0, 32).toArray();
            for (Tensor p : net.params()) p.zeroGrad();
            try (Workspace.Step step = workspace == null ? Workspace.suspend() : workspace.open()) {
                Tensor loss = net.loss(x, targets);
                out.add(new float[] {loss.item()});
                loss.backward();
                try (NoGrad g = Tensor.noGrad()) {
                    for (Tensor p : net.params()) {
                        float[] pd = p.data(), gd = p.grad().toArray();
                        for (int i = 0; i < pd.length; i++) pd[i] -= 0.1f * gd[i];
                    }
                }
            }
        }
        for (Tensor p : net.params()) out.add(p.toArray());
        return out;
    }

    @Test void stepsThatReuseArraysComputeExactlyWhatFreshArraysCompute() {
        Workspace w = new Workspace(true);
        List<float[]> reused = train(w, 4), fresh = train(null, 4);
        assertEquals(fresh.size(), reused.size());
        for (int i = 0; i < fresh.size(); i++) assertArrayEquals(fresh.get(i), reused.get(i), "entry " + i + " (losses, then weights)");
        assertTrue(w.reusedBytes() > 3 * w.allocatedBytes(), "later steps take their arrays from the pool: reused " + w.reusedBytes()
                + " B, allocated " + w.allocatedBytes() + " B");
    }

    @Test void aStepOfTheSameShapesAllocatesNothingNew() {
        Workspace w = new Workspace(false);
        train(w, 1);
        long first = w.allocatedBytes();
        assertTrue(first > 0);
        List<float[]> again = new ArrayList<>();
        Net net = Net.init(3);
        for (int s = 0; s < 3; s++) {
            for (Tensor p : net.params()) p.zeroGrad();
            try (Workspace.Step step = w.open()) {
                Tensor loss = net.loss(Tensor.randn(new SplittableRandom(s), 1f, 64, 32), new int[64]);
                loss.backward();
                again.add(new float[] {loss.item()});
            }
        }
        assertEquals(first, w.allocatedBytes(), "three more steps of the same shapes");
        assertTrue(w.pooledBytes() <= first);
    }

    @Test void anEvaluationBetweenStepsKeepsTheArraysItDoesNotUse() {
        Workspace w = new Workspace(true);
        Net net = Net.init(9);
        Tensor x = Tensor.randn(new SplittableRandom(2), 1f, 64, 32);
        float[] losses = new float[2];
        for (int s = 0; s < 2; s++) {
            for (Tensor p : net.params()) p.zeroGrad();
            try (Workspace.Step step = w.open()) {
                Tensor loss = net.loss(x, new int[64]);
                loss.backward();
            }
            long before = w.allocatedBytes();
            try (NoGrad g = Tensor.noGrad(); Workspace.Step eval = w.openForEvaluation()) {
                losses[s] = net.loss(x, new int[64]).item(); // the forward pass only: a subset of the step's arrays
            }
            assertEquals(before, w.allocatedBytes(), "the evaluation took every array from the pool");
        }
        long afterTwo = w.allocatedBytes();
        for (Tensor p : net.params()) p.zeroGrad();
        try (Workspace.Step step = w.open()) {
            net.loss(x, new int[64]).backward();
        }
        assertEquals(afterTwo, w.allocatedBytes(), "the step after an evaluation found its gradient arrays still pooled");
        assertEquals(losses[0], losses[1], "no update between: the same held-out loss");
    }

    @Test void backwardGivesSpentGradientsBackWithinTheStep() {
        Workspace w = new Workspace(false);
        Net net = Net.init(5);
        try (Workspace.Step step = w.open()) {
            net.loss(Tensor.randn(new SplittableRandom(1), 1f, 64, 32), new int[64]).backward();
        }
        // In the first step nothing comes from an earlier one: what is reused was given back by backward itself.
        assertTrue(w.reusedBytes() > 0, "gradients reused within the first step");
    }

    @Test void aTensorKeptPastItsStepReadsNaNUnderPoisoning() {
        Workspace w = new Workspace(true);
        Tensor kept;
        try (Workspace.Step step = w.open()) {
            kept = Tensor.ones(32, 32).mul(2f);
            assertEquals(2f, kept.get(3, 4));
        }
        assertTrue(Float.isNaN(kept.get(3, 4)), "a result used after its step must not look like a number");
    }

    @Test void suspendedAndPublicAllocationsOutliveTheStep() {
        Workspace w = new Workspace(true);
        Tensor suspended, copied, created;
        try (Workspace.Step step = w.open()) {
            Tensor r = Tensor.ones(32, 32).mul(3f);
            copied = Tensor.of(r.toArray(), 32, 32);
            created = Tensor.full(5f, 32, 32);
            try (Workspace.Step keep = Workspace.suspend()) {
                suspended = Tensor.ones(32, 32).mul(4f);
            }
            assertTrue(Workspace.floats(1024) != null);
        }
        assertEquals(3f, copied.get(0, 0));
        assertEquals(5f, created.get(31, 31));
        assertEquals(4f, suspended.get(1, 1));
        assertFalse(Float.isNaN(suspended.sum().item()));
    }

    @Test void arraysComeBackZeroedAndAStepCannotBeOpenedTwice() {
        Workspace w = new Workspace(true);
        try (Workspace.Step step = w.open()) {
            float[] a = Workspace.floats(4096);
            java.util.Arrays.fill(a, 9f);
            assertThrows(IllegalStateException.class, w::open);
        }
        try (Workspace.Step step = w.open()) {
            float[] b = Workspace.floats(4096);
            for (float v : b) assertEquals(0f, v);
        }
    }
}
