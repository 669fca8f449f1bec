package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** linears(x, W₁…, b₁…): each result has the bits linear(x, Wᵢ, bᵢ) gives, on the one-job path and the fallbacks. */
class LinearsTest {
    @TempDir Path dir;

    private static Tensor rand(long seed, int... shape) { return Tensor.randn(new SplittableRandom(seed), 1f, shape); }

    private static void assertEachAsLinear(Tensor x, Tensor[] w, Tensor[] b, String what) {
        Tensor[] together = x.linears(w, b);
        assertEquals(w.length, together.length, what);
        for (int i = 0; i < w.length; i++) {
            Tensor alone = x.linear(w[i], b[i]);
            assertArrayEquals(alone.shape(), together[i].shape(), what + ", part " + i + " shape");
            assertArrayEquals(alone.toArray(), together[i].toArray(), what + ", part " + i);
        }
    }

    @Test
    void oneRowGivesEachProductsBitsWithAndWithoutBias() {
        // 3 × 400 rows of 96: enough work for the pool, parts of different sizes, one without a bias
        int k = 96;
        Tensor[] w = {rand(1, 400, k), rand(2, 130, k), rand(3, 400, k)};
        Tensor[] b = {rand(4, 400), null, rand(5, 400)};
        try (NoGrad g = Tensor.noGrad()) {
            assertEachAsLinear(rand(6, 1, 1, k), w, b, "[1, 1, k] input");
            assertEachAsLinear(rand(7, 3, k).slice(0, 1, 2), w, b, "a row viewed inside a larger tensor");
            assertEachAsLinear(rand(8, k), w, b, "a 1-d input");
            // a strided row: every other element of a wider one
            assertEachAsLinear(rand(9, k, 2).transpose(0, 1).slice(0, 0, 1), w, b, "a strided row");
            // weight rows inside a larger array (a view with a row stride past k)
            Tensor wide = rand(10, 300, 2 * k);
            assertEachAsLinear(rand(11, 1, k), new Tensor[] {wide.slice(1, 0, k), wide.slice(1, k, 2 * k)},
                    new Tensor[] {null, null}, "weights viewed inside a wider array");
        }
    }

    @Test
    void mappedWeightsGiveTheArraysBits() throws IOException {
        int k = 128;
        Tensor wq = rand(12, 256, k), wk = rand(13, 64, k), wv = rand(14, 64, k), bq = rand(15, 256);
        Path p = dir.resolve("qkv.safetensors");
        Safetensors.write(p, Map.of("q", wq, "k", wk, "v", wv), Map.of());
        try (SafetensorsFile f = Safetensors.openInPlace(p); NoGrad g = Tensor.noGrad()) {
            Tensor[] mapped = {Tensor.mapped(f.mapped("q"), 256, k), Tensor.mapped(f.mapped("k"), 64, k), wv};
            Tensor x = rand(16, 1, 1, k);
            Tensor[] together = x.linears(mapped, new Tensor[] {bq, null, null});
            assertArrayEquals(x.linear(wq, bq).toArray(), together[0].toArray(), "mapped with bias");
            assertArrayEquals(x.linear(wk, null).toArray(), together[1].toArray(), "mapped without bias");
            assertArrayEquals(x.linear(wv, null).toArray(), together[2].toArray(), "an array beside mapped ones");
            assertNotNull(mapped[0].mappedRegion(), "the weights must still be read from the file");
        }
    }

    @Test
    void manyRowsAndGradientsTakeOneLinearEachAndBackPropagate() {
        int k = 40;
        Tensor[] w = {rand(17, 50, k).requiresGrad(true), rand(18, 30, k).requiresGrad(true)};
        Tensor[] b = {rand(19, 50).requiresGrad(true), null};
        assertEachAsLinear(rand(20, 2, 5, k), w, b, "many rows");
        Tensor x1 = rand(21, 1, k).requiresGrad(true), x2 = rand(21, 1, k).requiresGrad(true);
        Tensor[] ys = x1.linears(w, b);
        ys[0].sum().add(ys[1].pow(2f).sum()).backward();
        float[] gw0 = w[0].grad().toArray(), gb0 = b[0].grad().toArray(), gw1 = w[1].grad().toArray();
        w[0].zeroGrad();
        w[1].zeroGrad();
        b[0].zeroGrad();
        x2.linear(w[0], b[0]).sum().add(x2.linear(w[1], null).pow(2f).sum()).backward();
        assertArrayEquals(x2.grad().toArray(), x1.grad().toArray(), "input gradient");
        assertArrayEquals(w[0].grad().toArray(), gw0, "first weight's gradient");
        assertArrayEquals(b[0].grad().toArray(), gb0, "bias gradient");
        assertArrayEquals(w[1].grad().toArray(), gw1, "second weight's gradient");
        assertTrue(gw0.length > 0);
    }

    @Test
    void badShapesAreRefusedAsLinearRefusesThem() {
        Tensor x = rand(22, 1, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> x.linears(new Tensor[] {rand(23, 4, 8), rand(24, 4, 9)}, new Tensor[] {null, null}));
        assertTrue(e.getMessage().contains("[4, 9]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> x.linears(new Tensor[] {rand(23, 4, 8), rand(24, 4, 8)}, new Tensor[] {rand(25, 5), null}));
        assertTrue(e.getMessage().contains("bias shape [5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> x.linears(new Tensor[] {rand(23, 4, 8)}, new Tensor[] {null, null}));
        assertEquals("linears: 1 weights but 2 biases", e.getMessage());
    }
}
