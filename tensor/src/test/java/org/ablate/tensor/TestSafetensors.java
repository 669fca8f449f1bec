package org.ablate.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Minimal reader of small safetensors files for tests: F32 as float arrays, I64/I32 as int arrays. */
final class TestSafetensors {
    record Entry(String dtype, int[] shape, float[] floats, int[] ints) {
        Tensor tensor() {
            if (floats == null) throw new IllegalStateException("tensor of dtype " + dtype + " is not float");
            return Tensor.of(floats.clone(), shape);
        }

        IntTensor intTensor() {
            if (ints == null) throw new IllegalStateException("tensor of dtype " + dtype + " is not integer");
            return IntTensor.of(ints.clone(), shape);
        }
    }

    private TestSafetensors() {}

    static Map<String, Entry> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen < 2 || 8 + headerLen > all.length) throw new IOException(file + ": bad header length " + headerLen);
        JsonNode header = new ObjectMapper().readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
        int base = 8 + (int) headerLen;
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode v = e.getValue();
            String dtype = v.get("dtype").asText();
            JsonNode sh = v.get("shape");
            int[] shape = new int[sh.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).asInt();
                n *= shape[i];
            }
            int begin = base + v.get("data_offsets").get(0).asInt();
            int end = base + v.get("data_offsets").get(1).asInt();
            int count = (int) n;
            float[] f = null;
            int[] ints = null;
            switch (dtype) {
                case "F32" -> {
                    check(file, e.getKey(), end - begin, 4L * count);
                    f = new float[count];
                    for (int i = 0; i < count; i++) f[i] = buf.getFloat(begin + 4 * i);
                }
                case "I64" -> {
                    check(file, e.getKey(), end - begin, 8L * count);
                    ints = new int[count];
                    for (int i = 0; i < count; i++) ints[i] = Math.toIntExact(buf.getLong(begin + 8 * i));
                }
                case "I32" -> {
                    check(file, e.getKey(), end - begin, 4L * count);
                    ints = new int[count];
                    for (int i = 0; i < count; i++) ints[i] = buf.getInt(begin + 4 * i);
                }
                default -> throw new IOException(file + ": tensor " + e.getKey() + " has unsupported dtype " + dtype);
            }
            out.put(e.getKey(), new Entry(dtype, shape, f, ints));
        }
        return out;
    }

    private static void check(Path file, String name, long have, long need) throws IOException {
        if (have != need) throw new IOException(file + ": tensor " + name + " has " + have + " bytes, expected " + need);
    }
}
