package org.ablate.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path dir;

    /** A file with the given header JSON and data bytes, header length as written. */
    private Path file(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    private String fault(Path p) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> {
            try (SafetensorsFile f = Safetensors.open(p)) {
                for (String n : f.names()) f.tensor(n);
            }
        });
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), "message must name the file: " + e.getMessage());
        return e.getMessage();
    }

    /**
     * The writer pads the header with spaces so the data starts on a 64-byte boundary of the file, and so of its
     * mapping: weights whose rows fill whole cache lines are read in place without vector loads across two lines.
     */
    @Test
    void writtenDataStartsOnACacheLine() throws IOException {
        for (String name : new String[] {"w", "a.much.longer.name.for.the.header.to.grow.by.some.bytes"}) {
            Map<String, Tensor> ts = new LinkedHashMap<>();
            ts.put(name, Tensor.of(new float[32 * 16], 32, 16));
            ts.put("b", Tensor.of(new float[16], 16));
            Path p = dir.resolve(name + ".safetensors");
            Safetensors.write(p, ts, Map.of());
            ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0, (8 + head.getLong()) % 64, "data offset of " + name);
            try (SafetensorsFile f = Safetensors.openInPlace(p)) {
                assertEquals(0, f.mapped(name).address() % 64, name);
                assertEquals(0, f.mapped("b").address() % 64);
                assertArrayEquals(new float[16], f.tensor("b").toArray());
            }
        }
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Map<String, Tensor> ts = new LinkedHashMap<>();
        ts.put("layers.0.weight", Tensor.of(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3));
        ts.put("bias", Tensor.of(new float[] {0.25f}, 1));
        ts.put("transposed", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1));
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, ts, Map.of("format", "ablate"));
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertEquals(ts.keySet(), f.names());
            assertEquals("ablate", f.metadata().get("format"));
            for (var e : ts.entrySet()) {
                assertArrayEquals(e.getValue().shape(), f.tensor(e.getKey()).shape());
                assertArrayEquals(e.getValue().toArray(), f.tensor(e.getKey()).toArray());
            }
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, f.tensor("transposed").toArray());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void readIntoFillsAnArrayAtAnOffsetAndRefusesOneWithoutRoom() throws IOException {
        Map<String, Tensor> ts = new LinkedHashMap<>();
        float[] big = new float[3000];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f - 7;
        ts.put("w", Tensor.of(big, 3, 1000));
        Path p = dir.resolve("r.safetensors");
        Safetensors.write(p, ts, Map.of());
        try (SafetensorsFile f = Safetensors.open(p)) {
            float[] dst = new float[3005];
            java.util.Arrays.fill(dst, 42f);
            f.readInto("w", dst, 5);
            assertEquals(42f, dst[4]);
            for (int i = 0; i < big.length; i++) assertEquals(big[i], dst[5 + i], "element " + i);
            String room = assertThrows(SafetensorsException.class, () -> f.readInto("w", new float[3004], 5)).getMessage();
            assertTrue(room.contains("\"w\" has 3000 elements") && room.contains("holds 2999 from offset 5"), room);
        }
        Path n = file("n.safetensors", "{\"bad\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", floats(1, Float.NaN, 3));
        try (SafetensorsFile f = Safetensors.open(n)) {
            String nan = assertThrows(SafetensorsException.class, () -> f.readInto("bad", new float[10], 4)).getMessage();
            assertTrue(nan.contains("\"bad\" element 1") && nan.contains("expected finite weights"), nan);
        }
    }

    @Test
    void readsF16Bf16I64AndI32() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(4 + 4 + 16 + 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.099975586f));      // F16
        d.putShort((short) (Float.floatToIntBits(2.5f) >>> 16)).putShort((short) (Float.floatToIntBits(-3.0f) >>> 16)); // BF16
        d.putLong(7).putLong(-100);                                                                  // I64
        d.putInt(1).putInt(0);                                                                       // I32
        Path p = file("mixed.safetensors", """
                {"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},
                 "b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},
                 "ids":{"dtype":"I64","shape":[1,2],"data_offsets":[8,24]},
                 "mask":{"dtype":"I32","shape":[2],"data_offsets":[24,32]}}""", d.array());
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertArrayEquals(new float[] {1.5f, -0.099975586f}, f.tensor("h").toArray());
            assertArrayEquals(new float[] {2.5f, -3.0f}, f.tensor("b").toArray());
            assertEquals(IntTensor.of(new int[] {7, -100}, 1, 2), f.ints("ids"));
            assertEquals(IntTensor.of(new int[] {1, 0}, 2), f.ints("mask"));
            assertTrue(assertThrows(SafetensorsException.class, () -> f.tensor("ids")).getMessage().contains("expected F32, F16 or BF16"));
            assertTrue(assertThrows(SafetensorsException.class, () -> f.tensor("nope")).getMessage().contains("no tensor named \"nope\""));
        }
    }

    @Test
    void readsAConformanceFile() throws IOException {
        String root = System.getProperty("ablate.conformance.dir", "../../shared/conformance");
        Path p = Path.of(root, "op_softmax", "io.safetensors");
        assertTrue(Files.isRegularFile(p), "conformance data missing: " + p);
        try (SafetensorsFile f = Safetensors.open(p)) {
            Tensor x = f.tensor("x"), y = f.tensor("y");
            assertArrayEquals(x.shape(), y.shape());
            // softmax rows sum to one: a real check that the bytes were decoded as the right floats
            float[] v = y.toArray();
            int n = y.size(-1);
            for (int r = 0; r < v.length / n; r++) {
                double s = 0;
                for (int c = 0; c < n; c++) s += v[r * n + c];
                assertEquals(1.0, s, 1e-5);
            }
        }
    }

    @Test void truncatedData() throws IOException {
        Path p = file("t.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", floats(1, 2));
        assertTrue(fault(p).contains("out of range"), fault(p));
    }

    @Test void headerLengthPastTheEnd() throws IOException {
        Path p = dir.resolve("h.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + 10).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(5000).put("{}        ".getBytes(StandardCharsets.UTF_8));
        Files.write(p, b.array());
        assertTrue(fault(p).contains("runs past the end of the file"), fault(p));
    }

    @Test void absurdHeaderLength() throws IOException {
        Path p = dir.resolve("a.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(Long.MAX_VALUE - 3).putLong(0);
        Files.write(p, b.array());
        assertTrue(fault(p).contains("over the format's limit of 100000000 bytes"), fault(p));
    }

    @Test void shorterThanTheLengthField() throws IOException {
        Path p = dir.resolve("s.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(fault(p).contains("truncated"), fault(p));
    }

    @Test void invalidJson() throws IOException {
        Path p = file("j.safetensors", "{\"a\": {\"dtype\": \"F32\", ", new byte[0]);
        assertTrue(fault(p).contains("not valid JSON"), fault(p));
    }

    @Test void outOfRangeOffsets() throws IOException {
        Path p = file("o.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", floats(1, 2));
        assertTrue(fault(p).contains("out of range"), fault(p));
    }

    @Test void overlappingOffsets() throws IOException {
        Path p = file("v.safetensors", """
                {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""",
                floats(1, 2, 3));
        assertTrue(fault(p).contains("overlap"), fault(p));
    }

    @Test void shapeAndByteSizeDisagree() throws IOException {
        Path p = file("m.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", floats(1, 2));
        String m = fault(p);
        assertTrue(m.contains("needs 12 bytes") && m.contains("hold 8"), m);
    }

    @Test void dtypeMismatchWithBytes() throws IOException {
        Path p = file("d.safetensors", "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1, 2));
        assertTrue(fault(p).contains("F16 needs 4 bytes"), fault(p));
    }

    @Test void unknownDtype() throws IOException {
        Path p = file("u.safetensors", "{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1, 2));
        assertTrue(fault(p).contains("unknown dtype F33"), fault(p));
    }

    @Test void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        Safetensors.write(p, Map.of("a", Tensor.of(new float[] {1}, 1)), Map.of());
        byte[] before = Files.readAllBytes(p);
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(p, Map.of("__metadata__", Tensor.of(new float[] {2}, 1)), Map.of()));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".partial")));
        }
    }
}
