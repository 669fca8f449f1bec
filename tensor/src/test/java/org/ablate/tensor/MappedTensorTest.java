package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsException;
import org.ablate.tensor.io.SafetensorsFile;
import org.ablate.tensor.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors that read their elements in place from a mapped safetensors file give the results of the same values in an array. */
class MappedTensorTest {
    @TempDir Path dir;

    private static Tensor rand(long seed, int... shape) { return Tensor.randn(new SplittableRandom(seed), 1f, shape); }

    /** Writes the tensors to one file and opens it for use in place. */
    private SafetensorsFile file(Map<String, Tensor> tensors) throws IOException {
        Path p = dir.resolve("w" + System.nanoTime() + ".safetensors");
        Safetensors.write(p, tensors, Map.of());
        return Safetensors.openInPlace(p);
    }

    @Test
    void linearOnAMappedWeightHasTheArraysBitsOnEveryKernelPath() throws IOException {
        // 1 row: the matrix-vector kernel; 5 and 16: the few-rows kernel; 40 and 300: the packed product, two k panels
        Tensor w = rand(1, 70, 600), b = rand(2, 70);
        try (SafetensorsFile f = file(Map.of("w", w))) {
            Tensor mapped = Tensor.mapped(f.mapped("w"), 70, 600);
            for (int rows : new int[] {1, 5, 16, 40, 300}) {
                Tensor x = rand(10 + rows, 2, rows, 600).slice(0, 1, 2); // a view: offset and batch dim
                assertArrayEquals(x.linear(w, b).toArray(), x.linear(mapped, b).toArray(), rows + " rows, with bias");
                assertArrayEquals(x.linear(w, null).toArray(), x.linear(mapped, null).toArray(), rows + " rows, no bias");
            }
            assertNotNull(mapped.mappedRegion(), "the products must read the file, not copy the weight into an array");
        }
    }

    @Test
    void embeddingRowsComeFromTheFile() throws IOException {
        Tensor table = rand(3, 50, 24);
        try (SafetensorsFile f = file(Map.of("e", table))) {
            Tensor mapped = Tensor.mapped(f.mapped("e"), 50, 24);
            IntTensor ids = IntTensor.of(new int[] {0, 49, 7, 7, 13, 1}, 2, 3);
            assertArrayEquals(Tensor.embedding(table, ids).toArray(), Tensor.embedding(mapped, ids).toArray());
            assertNotNull(mapped.mappedRegion());
        }
    }

    @Test
    void gradientsThroughAMappedWeightEqualTheArrays() throws IOException {
        Tensor w = rand(4, 33, 20), b = rand(5, 33);
        try (SafetensorsFile f = file(Map.of("w", w))) {
            w.requiresGrad(true);
            for (Tensor bias : new Tensor[] {b, null}) {
                Tensor mapped = Tensor.mapped(f.mapped("w"), 33, 20).requiresGrad(true); // backward copies it: a fresh one
                Tensor x1 = rand(6, 7, 20).requiresGrad(true), x2 = rand(6, 7, 20).requiresGrad(true);
                w.zeroGrad();
                x1.linear(w, bias).pow(2f).sum().backward();
                x2.linear(mapped, bias).pow(2f).sum().backward();
                assertArrayEquals(x1.grad().toArray(), x2.grad().toArray(), "input gradient, bias " + (bias != null));
                assertArrayEquals(w.grad().toArray(), mapped.grad().toArray(), "weight gradient, bias " + (bias != null));
            }
        }
    }

    @Test
    void anArrayIsMadeOnceOnDemandAndWritingItLeavesTheFileAsItWas() throws IOException {
        Tensor w = rand(7, 4, 6);
        Path p = dir.resolve("keep.safetensors");
        Safetensors.write(p, Map.of("w", w), Map.of());
        byte[] before = Files.readAllBytes(p);
        try (SafetensorsFile f = Safetensors.openInPlace(p)) {
            Tensor mapped = Tensor.mapped(f.mapped("w"), 4, 6).requiresGrad(true);
            assertArrayEquals(w.toArray(), mapped.toArray(), "toArray reads the file");
            assertNotNull(mapped.mappedRegion(), "toArray must not keep an array");
            mapped.setGrad(Tensor.ones(4, 6));
            new Sgd(List.of(mapped), 0.5, 0, 0).step();
            assertNull(mapped.mappedRegion(), "an optimizer step works on an array of its own");
            float[] expected = w.toArray();
            for (int i = 0; i < expected.length; i++) expected[i] -= 0.5f;
            assertArrayEquals(expected, mapped.toArray());
            assertTrue(mapped.data() == mapped.data(), "the array is made once");
        }
        assertArrayEquals(before, Files.readAllBytes(p), "the checkpoint file must not change");
    }

    @Test
    void useMappedFillsAParameterBuiltWithoutAnArrayAndRefusesOthers() throws IOException {
        Tensor w = rand(8, 3, 5);
        try (SafetensorsFile f = file(Map.of("w", w))) {
            Tensor lazy = Tensor.zerosOnDemand(3, 5);
            lazy.useMapped(f.mapped("w"));
            assertArrayEquals(w.toArray(), lazy.toArray());

            String size = assertThrows(IllegalArgumentException.class, () -> Tensor.zerosOnDemand(5, 5).useMapped(f.mapped("w")))
                    .getMessage();
            assertTrue(size.contains("[5, 5] needs 100 bytes") && size.contains("has 60"), size);
            Tensor used = Tensor.zerosOnDemand(3, 5);
            assertEquals(0f, used.data()[used.offset() + 14], "zeros on demand are zeros");
            String held = assertThrows(IllegalStateException.class, () -> used.useMapped(f.mapped("w"))).getMessage();
            assertTrue(held.contains("already has an array"), held);
        }
    }

    /**
     * A weight starts {@link Tensor#LEAD} floats into its array (the suite runs with 12, as ./ablate does), a bias at 0;
     * a mapped weight copied into an array lands at the same place, and products and lookups read the same values
     * there as from a weight at offset 0, bit for bit.
     */
    @Test
    void weightsStartAtTheLeadAndGiveTheSameBits() throws IOException {
        assertEquals(12, Tensor.LEAD, "the suite runs with -Dablate.tensor.lead=12 (pom.xml), so weights' offsets are exercised");
        Tensor w = rand(21, 40, 32), bias = rand(22, 40);
        Tensor led = Tensor.zerosOnDemand(40, 32), plain = Tensor.of(w.toArray(), 40, 32);
        assertEquals(Tensor.LEAD, led.offset());
        assertEquals(Tensor.LEAD + 40 * 32, led.data().length);
        assertEquals(0, Tensor.zerosOnDemand(40).offset(), "1-d parameters are read whole from index 0 by most ops");
        System.arraycopy(plain.data(), 0, led.data(), led.offset(), 40 * 32);
        for (int rows : new int[] {1, 3}) {
            Tensor x = rand(23 + rows, rows, 32);
            assertArrayEquals(x.linear(plain, bias).toArray(), x.linear(led, bias).toArray(), rows + " rows");
            assertArrayEquals(x.linear(plain, null).toArray(), x.linear(led, null).toArray(), rows + " rows, no bias");
        }
        IntTensor ids = IntTensor.of(new int[] {0, 39, 7, 7}, 2, 2);
        assertArrayEquals(Tensor.embedding(plain, ids).toArray(), Tensor.embedding(led, ids).toArray());
        try (SafetensorsFile f = file(Map.of("w", w))) {
            Tensor loaded = Tensor.zerosOnDemand(40, 32);
            loaded.useMapped(f.mapped("w"));
            float[] d = loaded.data(); // copies the file's values into an array, at the lead
            assertEquals(Tensor.LEAD + 40 * 32, d.length);
            assertArrayEquals(w.toArray(), java.util.Arrays.copyOfRange(d, Tensor.LEAD, d.length));
            assertArrayEquals(w.toArray(), loaded.toArray());
        }
    }

    @Test
    void theLeadSettingIsCheckedInOneLine() {
        assertEquals(0, Tensor.lead(null));
        assertEquals(0, Tensor.lead(" "));
        assertEquals(3, Tensor.lead(" 3 "));
        assertEquals(15, Tensor.lead("15"));
        for (String bad : new String[] {"16", "-1", "twelve", "1.5"}) {
            String m = assertThrows(IllegalArgumentException.class, () -> Tensor.lead(bad)).getMessage();
            assertEquals("ablate.tensor.lead must be a whole number from 0 to 15, got " + bad, m);
        }
    }

    @Test
    void aMappedNonFiniteWeightIsRefusedWithItsElement() throws IOException {
        Path p = dir.resolve("nan.safetensors");
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}".getBytes();
        var buf = java.nio.ByteBuffer.allocate(8 + header.length + 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).put(header).putFloat(1).putFloat(2).putFloat(3).putFloat(Float.POSITIVE_INFINITY);
        Files.write(p, buf.array());
        try (SafetensorsFile f = Safetensors.openInPlace(p)) {
            String m = assertThrows(SafetensorsException.class, () -> f.mapped("w")).getMessage();
            assertTrue(m.startsWith(p.toString()) && m.contains("\"w\" element 3 [1, 1] is Infinity"), m);
        }
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertThrows(IllegalStateException.class, () -> f.mapped("w"), "a file closed with its mapping cannot lend it");
        }
        assertFalse(Files.notExists(p));
    }
}
