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
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference reader's rules: exact coverage of the data section, header cap, UTF-8, overflow, finite values. */
class SafetensorsStrictTest {
    @TempDir Path dir;

    private Path file(String name, byte[] header, long headerLength, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private Path file(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(name, h, h.length, data);
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    /** Opens and reads every tensor, expecting a one-line error that names the file. */
    private static String fault(Path p) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> {
            try (SafetensorsFile f = Safetensors.open(p)) {
                for (String n : f.names()) f.tensor(n);
            }
        });
        String m = e.getMessage();
        assertTrue(m.startsWith(p + ": "), "message must name the file: " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
        return m;
    }

    private Path written() throws IOException {
        Map<String, Tensor> ts = new LinkedHashMap<>();
        ts.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        ts.put("b", Tensor.of(new float[] {0.5f, -0.5f}, 2));
        Path p = dir.resolve("ok.safetensors");
        Safetensors.write(p, ts, Map.of("format", "pt"));
        return p;
    }

    private static void setHeaderLength(Path p, long delta) throws IOException {
        byte[] all = Files.readAllBytes(p);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, b.getLong(0) + delta);
        Files.write(p, all);
    }

    @Test void headerLengthOneByteShortIsRefusedNotShifted() throws IOException {
        // Ablate pads its header with spaces, so the shortened header is still valid JSON: only coverage catches it
        Path p = written();
        setHeaderLength(p, -1);
        String m = fault(p);
        assertTrue(m.contains("the tensors end at byte 32 of the data section") && m.contains("but it has 33 bytes")
                && m.contains("cover it exactly"), m);
    }

    @Test void headerLengthOneByteShortOfAnUnpaddedHeaderIsInvalidJson() throws IOException {
        byte[] h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.UTF_8);
        Path p = file("short.safetensors", h, h.length - 1, floats(1));
        assertTrue(fault(p).contains("header is not valid JSON"), fault(p));
    }

    @Test void headerLengthOneByteLongIsRefused() throws IOException {
        Path p = written();
        setHeaderLength(p, 1);
        assertTrue(fault(p).contains("header is not valid JSON"), fault(p));
    }

    @Test void aGapBetweenTensorsIsRefused() throws IOException {
        Path p = file("gap.safetensors", """
                {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""",
                floats(1, 2, 3));
        String m = fault(p);
        assertTrue(m.contains("tensor \"b\": data_offsets [8, 12] begin 4 bytes after the end of tensor \"a\" (byte 4), leaving a gap"), m);
    }

    @Test void theFirstTensorMustBeginAtZero() throws IOException {
        Path p = file("late.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", floats(1, 2));
        String m = fault(p);
        assertTrue(m.contains("tensor \"a\"") && m.contains("4 bytes after the start of the data section"), m);
    }

    @Test void bytesLeftOverAfterTheLastTensorAreRefused() throws IOException {
        Path p = file("tail.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1, 2));
        String m = fault(p);
        assertTrue(m.contains("the tensors end at byte 4") && m.contains("(last: \"a\")") && m.contains("but it has 8 bytes"), m);
        Path empty = file("empty-with-data.safetensors", "{}", new byte[3]);
        assertTrue(fault(empty).contains("the header lists no tensors, so the data section should be empty, but it has 3 bytes"),
                fault(empty));
    }

    @Test void tensorsInAnyHeaderOrderAndEmptyTensorsAreRead() throws IOException {
        Path p = file("order.safetensors", """
                {"__metadata__":null,"second":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},
                 "none":{"dtype":"F32","shape":[0,3000000000],"data_offsets":[4,4]},
                 "first":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}""", floats(1.5f, -2));
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertArrayEquals(new float[] {1.5f}, f.tensor("first").toArray());
            assertArrayEquals(new int[0], f.tensor("first").shape());
            assertArrayEquals(new float[] {-2}, f.tensor("second").toArray());
            assertTrue(f.metadata().isEmpty());
            String m = assertThrows(SafetensorsException.class, () -> f.tensor("none")).getMessage();
            assertTrue(m.contains("tensor \"none\" has a dimension of 3000000000"), m);
        }
        Path none = file("none.safetensors", "{}", new byte[0]);
        try (SafetensorsFile f = Safetensors.open(none)) {
            assertTrue(f.names().isEmpty());
        }
    }

    @Test void theHeaderCapIsTheReferenceOne() throws IOException {
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        Path over = file("over.safetensors", h, 100_000_001L, new byte[0]);
        assertTrue(fault(over).contains("header length 100000001 is over the format's limit of 100000000 bytes"), fault(over));
        Path at = file("at.safetensors", h, 100_000_000L, new byte[0]);
        assertTrue(fault(at).contains("header length 100000000 runs past the end of the file"), fault(at));
        Path negative = file("neg.safetensors", h, -1L, new byte[0]);
        assertTrue(fault(negative).contains("header length 18446744073709551615 is over"), fault(negative));
        Path tiny = file("tiny.safetensors", h, 1, new byte[0]);
        assertTrue(fault(tiny).contains("header length 1 is too short"), fault(tiny));
    }

    @Test void aHeaderThatIsNotUtf8IsRefused() throws IOException {
        byte[] h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.UTF_8);
        h[3] = (byte) 0xC3;  // a lead byte followed by an ASCII character
        Path p = file("utf.safetensors", h, h.length, floats(1));
        assertTrue(fault(p).contains("header is not valid UTF-8 (bad byte at offset 11 of the file)"), fault(p));
    }

    @Test void theHeaderMustBeAnObjectOfObjects() throws IOException {
        assertTrue(fault(file("arr.safetensors", "[1, 2]", new byte[0])).contains("header is a JSON array, expected an object"));
        String m = fault(file("entry.safetensors", "{\"a\": 5}", new byte[0]));
        assertTrue(m.contains("tensor \"a\": entry is a JSON number, expected an object"), m);
        m = fault(file("meta.safetensors", "{\"__metadata__\": {\"k\": 1}}", new byte[0]));
        assertTrue(m.contains("__metadata__ field \"k\" is a JSON number, expected a string"), m);
        m = fault(file("nodtype.safetensors", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)));
        assertTrue(m.contains("tensor \"a\": dtype is missing; expected one of [F32"), m);
        m = fault(file("dup.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)));
        assertTrue(m.contains("duplicate key \"a\""), m);
    }

    @Test void shapesMustBeNonNegativeIntegersWithoutOverflow() throws IOException {
        String m = fault(file("neg.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", floats(1)));
        assertTrue(m.contains("tensor \"a\": shape [-1] has a dimension that is not a non-negative integer"), m);
        m = fault(file("frac.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", floats(1)));
        assertTrue(m.contains("not a non-negative integer"), m);
        m = fault(file("lead.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", floats(1)));
        assertTrue(m.contains("not valid JSON"), m);
        m = fault(file("big.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
                floats(1)));
        assertTrue(m.contains("tensor \"a\": shape [4294967296, 4294967296] overflows"), m);
        m = fault(file("bytes.safetensors", "{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,4]}}",
                floats(1)));
        assertTrue(m.contains("tensor \"a\": shape [2305843009213693952] of F64 overflows"), m);
        m = fault(file("huge.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}",
                floats(1)));
        assertTrue(m.contains("not valid JSON: number 99999999999999999999 is out of range"), m);
    }

    @Test void nonFiniteF32ValuesAreRefusedWhenRead() throws IOException {
        Path p = file("nan.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}",
                floats(1, 2, Float.NaN, Float.NEGATIVE_INFINITY));
        try (SafetensorsFile f = Safetensors.open(p)) {
            String m = assertThrows(SafetensorsException.class, () -> f.tensor("w")).getMessage();
            assertEquals(p + ": tensor \"w\" element 2 [1, 0] is NaN (2 of 4 values are not finite); expected finite weights", m);
        }
    }

    @Test void nonFiniteValuesAreRefusedWhenWrittenAndTheTargetIsKept() throws IOException {
        Path p = written();
        byte[] before = Files.readAllBytes(p);
        Map<String, Tensor> ts = new LinkedHashMap<>();
        ts.put("fine", Tensor.of(new float[] {1, 2}, 2));
        ts.put("diverged", Tensor.of(new float[] {0, 1, Float.POSITIVE_INFINITY}, 3));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.write(p, ts, Map.of()));
        assertEquals(p + ": tensor \"diverged\" element 2 [2] is Infinity (1 of 3 values are not finite);"
                + " refusing to write non-finite weights (the file is left as it was)", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".partial")), "no temporary file left");
        }
    }

    @Test void whatWeWriteTheStrictReaderReads() throws IOException {
        Path p = written();
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.tensor("w").toArray());
            assertArrayEquals(new float[] {0.5f, -0.5f}, f.tensor("b").toArray());
            assertEquals("pt", f.metadata().get("format"));
        }
    }
}
