package org.ablate.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a small valid safetensors file: bit flips, byte edits, truncations, header-length
 * changes, offset, shape and dtype edits, appended bytes and header text edits. Each mutated file must
 * either be refused with a one-line {@link SafetensorsException} naming the file, or read to exactly the
 * values that an independent reading gives (Jackson for the JSON, the reference reader's rules written
 * out again below). Any other exception, a disagreement, or a run past the time limit fails the test.
 * The counts are reported in docs/reliability.md; they change only if the mutations do.
 */
class SafetensorsFuzzTest {
    static final long SEED = 0x5afe7e5L;
    static final int MUTATIONS = 600;

    @TempDir Path dir;

    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    // ---- the valid file ----

    /** name, dtype, shape, in data order; the header lists them in another order. */
    private static final Object[][] TENSORS = {
            {"w", "F32", new long[] {2, 3}}, {"h", "F16", new long[] {4}}, {"b", "BF16", new long[] {2}},
            {"ids", "I64", new long[] {2}}, {"mask", "I32", new long[] {3}}, {"flag", "U8", new long[] {4}},
    };

    private static byte[] data() {
        ByteBuffer d = ByteBuffer.allocate(24 + 8 + 4 + 16 + 12 + 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[] {1, -2, 3.5f, 0.25f, 1e-3f, 7}) d.putFloat(v);
        for (float v : new float[] {1.5f, -0.5f, 2, 100}) d.putShort(Float.floatToFloat16(v));
        for (float v : new float[] {2.5f, -3}) d.putShort((short) (Float.floatToIntBits(v) >>> 16));
        d.putLong(7).putLong(-100);
        d.putInt(1).putInt(0).putInt(1);
        d.put(new byte[] {0, 1, 1, 0});
        return d.array();
    }

    private static String header() {
        long at = 0;
        Map<String, String> entries = new LinkedHashMap<>();
        for (Object[] t : TENSORS) {
            long n = 1;
            for (long s : (long[]) t[2]) n *= s;
            long bytes = n * DType.valueOf((String) t[1]).bytes();
            entries.put((String) t[0], "{\"dtype\":\"" + t[1] + "\",\"shape\":" + Arrays.toString((long[]) t[2]).replace(" ", "")
                    + ",\"data_offsets\":[" + at + "," + (at + bytes) + "]}");
            at += bytes;
        }
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        for (String name : List.of("ids", "w", "mask", "b", "flag", "h")) {
            h.append(",\"").append(name).append("\":").append(entries.get(name));
        }
        return h.append('}').toString();
    }

    /** A file with the header padded with spaces to a multiple of 8 bytes, as the reference writer does. */
    private static byte[] assemble(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        while (b.position() < 8 + padded) b.put((byte) ' ');
        return b.put(data).array();
    }

    // ---- mutations ----

    private static final Pattern OFFSETS = Pattern.compile("\"data_offsets\":\\[(\\d+),(\\d+)\\]");
    private static final Pattern SHAPE_DIM = Pattern.compile("(?<=[\\[,])(\\d+)(?=[\\],])");
    private static final Pattern DTYPE = Pattern.compile("\"dtype\":\"([A-Z0-9_a-z]+)\"");

    private static long pick(Random r, long old) {
        return switch (r.nextInt(6)) {
            case 0 -> old + 1;
            case 1 -> Math.max(0, old - 1);
            case 2 -> old + 4;
            case 3 -> 0;
            case 4 -> r.nextInt(100);
            default -> new long[] {68, 69, Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE / 2, Long.MAX_VALUE}[r.nextInt(6)];
        };
    }

    /** Replaces the {@code k}-th match of group 1 (or group {@code g}) in {@code s}. */
    private static String replaceNth(String s, Pattern p, int g, Random r, java.util.function.Function<String, String> f) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) spans.add(new int[] {m.start(g), m.end(g)});
        if (spans.isEmpty()) return s;
        int[] at = spans.get(r.nextInt(spans.size()));
        return s.substring(0, at[0]) + f.apply(s.substring(at[0], at[1])) + s.substring(at[1]);
    }

    /** One mutation of the valid file; {@code kind} says which, for the failure message. */
    private record Mutant(String cls, String kind, byte[] bytes) {}

    private static Mutant mutate(Random r, String header, byte[] data) {
        byte[] valid = assemble(header, data);
        int headerEnd = valid.length - data.length;
        int kind = r.nextInt(12);
        switch (kind) {
            case 0 -> {
                byte[] b = valid.clone();
                int at = r.nextInt(b.length);
                b[at] ^= (byte) (1 << r.nextInt(8));
                return new Mutant("bit flip", "bit flip at byte " + at, b);
            }
            case 1 -> {
                byte[] b = valid.clone();
                int at = 8 + r.nextInt(headerEnd - 8);
                b[at] = (byte) r.nextInt(256);
                return new Mutant("header byte set", "header byte " + at + " set to " + (b[at] & 0xFF), b);
            }
            case 2 -> {
                byte[] b = valid.clone();
                int at = headerEnd + r.nextInt(data.length);
                b[at] = (byte) r.nextInt(256);
                return new Mutant("data byte set", "data byte " + at + " set to " + (b[at] & 0xFF), b);
            }
            case 3 -> {
                int len = r.nextInt(valid.length);
                return new Mutant("truncation", "truncated to " + len + " bytes", Arrays.copyOf(valid, len));
            }
            case 4 -> {
                byte[] b = valid.clone();
                long delta = (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(8));
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                bb.putLong(0, bb.getLong(0) + delta);
                return new Mutant("header length +-1..8", "header length " + (delta > 0 ? "+" : "") + delta, b);
            }
            case 5 -> {
                byte[] b = valid.clone();
                long v = new long[] {0, 1, 2, -1, Long.MIN_VALUE, 100_000_000, 100_000_001, b.length, b.length - 8,
                        r.nextLong()}[r.nextInt(10)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
                return new Mutant("header length set", "header length set to " + Long.toUnsignedString(v), b);
            }
            case 6 -> {
                int g = 1 + r.nextInt(2);
                String h = replaceNth(header, OFFSETS, g, r, old -> Long.toString(pick(r, Long.parseLong(old))));
                return new Mutant("data_offsets edit", "data_offsets edit: " + h, assemble(h, data));
            }
            case 7 -> {
                String shapes = header;
                String h = replaceNth(shapes, SHAPE_DIM, 1, r, old -> {
                    long v = pick(r, Long.parseLong(old));
                    return r.nextInt(8) == 0 ? "-" + v : Long.toString(v);
                });
                return new Mutant("shape edit", "shape edit: " + h, assemble(h, data));
            }
            case 8 -> {
                String[] names = {"F32", "F16", "BF16", "I64", "I32", "F64", "U8", "BOOL", "F33", "f32", ""};
                String h = replaceNth(header, DTYPE, 1, r, old -> names[r.nextInt(names.length)]);
                return new Mutant("dtype edit", "dtype edit: " + h, assemble(h, data));
            }
            case 9 -> {
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                byte[] b = Arrays.copyOf(valid, valid.length + extra.length);
                System.arraycopy(extra, 0, b, valid.length, extra.length);
                return new Mutant("bytes appended", extra.length + " bytes appended", b);
            }
            case 10 -> {
                int at = r.nextInt(header.length());
                String chars = "{}[]\",:0123456789-. a\\e";
                String h = r.nextBoolean() ? header.substring(0, at) + header.substring(at + 1)
                        : header.substring(0, at) + chars.charAt(r.nextInt(chars.length())) + header.substring(at);
                return new Mutant("header text edit", "header text edit: " + h, assemble(h, data));
            }
            default -> {
                // two different tensors exchange their offsets
                List<String> offs = new ArrayList<>();
                Matcher m = OFFSETS.matcher(header);
                while (m.find()) offs.add(m.group());
                int i = r.nextInt(offs.size()), j = (i + 1 + r.nextInt(offs.size() - 1)) % offs.size();
                String h = header.replace(offs.get(i), "@I@").replace(offs.get(j), offs.get(i)).replace("@I@", offs.get(j));
                return new Mutant("offsets swapped", "offsets swapped: " + h, assemble(h, data));
            }
        }
    }

    // ---- the independent reading ----

    /** What a correct reader gives: {@code invalid} non-null for a refused file, else per tensor its values or fault. */
    private record Expected(String invalid, Map<String, Object> tensors) {}

    private static Expected oracle(byte[] file) {
        if (file.length < 8) return new Expected("shorter than 8 bytes", null);
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (Long.compareUnsigned(n, 100_000_000) > 0) return new Expected("header over the cap", null);
        if (8 + n > file.length) return new Expected("header past the end", null);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(file, 8, (int) n)).toString();
        } catch (IOException e) {
            return new Expected("not UTF-8", null);
        }
        JsonNode root;
        try {
            root = JACKSON.readTree(text);
        } catch (IOException e) {
            return new Expected("not JSON", null);
        }
        if (root == null || !root.isObject()) return new Expected("not an object", null);
        long dataLen = file.length - 8 - n;
        record Info(String name, DType dtype, long[] shape, long begin, long end) {}
        List<Info> infos = new ArrayList<>();
        for (var it = root.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().equals("__metadata__")) {
                if (v.isNull()) continue;
                if (!v.isObject()) return new Expected("metadata not an object", null);
                for (var m = v.properties().iterator(); m.hasNext(); ) {
                    if (!m.next().getValue().isTextual()) return new Expected("metadata value not a string", null);
                }
                continue;
            }
            if (!v.isObject()) return new Expected("entry not an object", null);
            DType dtype = null;
            for (DType d : DType.values()) if (v.path("dtype").isTextual() && d.name().equals(v.path("dtype").asText())) dtype = d;
            if (dtype == null) return new Expected("dtype", null);
            JsonNode shapeNode = v.path("shape"), offs = v.path("data_offsets");
            if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) return new Expected("shape or offsets", null);
            long[] shape = new long[shapeNode.size()];
            long numel = 1;
            for (int k = 0; k < shape.length; k++) {
                JsonNode d = shapeNode.get(k);
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) return new Expected("dimension", null);
                shape[k] = d.asLong();
                try {
                    numel = Math.multiplyExact(numel, shape[k]);
                } catch (ArithmeticException x) {
                    return new Expected("overflow", null);
                }
            }
            for (JsonNode o : offs) {
                if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) return new Expected("offset", null);
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(numel, dtype.bytes());
            } catch (ArithmeticException x) {
                return new Expected("overflow", null);
            }
            long begin = offs.get(0).asLong(), end = offs.get(1).asLong();
            if (end < begin || end - begin != bytes) return new Expected("byte count", null);
            infos.add(new Info(e.getKey(), dtype, shape, begin, end));
        }
        infos.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long at = 0;
        for (Info t : infos) {
            if (t.begin() != at) return new Expected("coverage", null);
            at = t.end();
        }
        if (at != dataLen) return new Expected("coverage at the end", null);
        Map<String, Object> out = new LinkedHashMap<>();
        ByteBuffer d = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (Info t : infos) {
            int base = (int) (8 + n + t.begin());
            int count = (int) ((t.end() - t.begin()) / t.dtype().bytes());
            boolean tooBig = false;
            for (long s : t.shape()) tooBig |= s > Integer.MAX_VALUE;
            if (tooBig) { out.put(t.name(), "too big"); continue; }
            switch (t.dtype()) {
                case F32, F16, BF16 -> {
                    float[] v = new float[count];
                    for (int i = 0; i < count; i++) {
                        v[i] = switch (t.dtype()) {
                            case F32 -> d.getFloat(base + 4 * i);
                            case F16 -> Float.float16ToFloat(d.getShort(base + 2 * i));
                            default -> Float.intBitsToFloat((d.getShort(base + 2 * i) & 0xFFFF) << 16);
                        };
                    }
                    boolean finite = true;
                    for (float x : v) finite &= Float.isFinite(x);
                    out.put(t.name(), finite ? Tensor.of(v, toInts(t.shape())) : "not finite");
                }
                case I32, I64 -> {
                    int[] v = new int[count];
                    boolean fits = true;
                    for (int i = 0; i < count; i++) {
                        long x = t.dtype() == DType.I32 ? d.getInt(base + 4 * i) : d.getLong(base + 8 * i);
                        fits &= x == (int) x;
                        v[i] = (int) x;
                    }
                    out.put(t.name(), fits ? IntTensor.of(v, toInts(t.shape())) : "outside the int range");
                }
                default -> out.put(t.name(), "unreadable dtype");
            }
        }
        return new Expected(null, out);
    }

    private static int[] toInts(long[] s) {
        int[] o = new int[s.length];
        for (int i = 0; i < s.length; i++) o[i] = (int) s[i];
        return o;
    }

    // ---- the run ----

    /** Outcome counts of one run: refused at open, refused when a tensor was read, read correctly. */
    record Counts(int refusedAtOpen, int refusedAtRead, int readCorrectly) {}

    @Test
    void mutatedFilesAreRefusedCleanlyOrReadCorrectly() {
        Counts c = assertTimeoutPreemptively(Duration.ofSeconds(60), this::run);
        System.out.println("safetensors fuzz: " + MUTATIONS + " mutations, " + c.refusedAtOpen() + " refused when opened, "
                + c.refusedAtRead() + " refused when a tensor was read, " + c.readCorrectly() + " read correctly");
        assertEquals(MUTATIONS, c.refusedAtOpen() + c.refusedAtRead() + c.readCorrectly());
        // Both paths must be exercised, or the fuzzing proves little; the exact numbers are in docs/reliability.md.
        assertEquals(new Counts(517, 7, 76), c);
    }

    private Counts run() throws IOException {
        String header = header();
        byte[] data = data();
        Expected base = oracle(assemble(header, data));
        assertEquals(null, base.invalid(), "the unmutated file must be valid");
        Random r = new Random(SEED);
        int atOpen = 0, atRead = 0, correct = 0;
        Map<String, int[]> byClass = new java.util.TreeMap<>();
        for (int k = 0; k < MUTATIONS; k++) {
            Mutant m = mutate(r, header, data);
            Path p = dir.resolve("case-" + k + ".safetensors");
            Files.write(p, m.bytes());
            Expected want = oracle(m.bytes());
            String what = "mutation " + k + " (" + m.kind() + ")";
            SafetensorsFile f;
            try {
                f = Safetensors.open(p);
            } catch (SafetensorsException e) {
                checkMessage(p, e, what);
                if (want.invalid() == null) fail(what + ": the reference rules accept this file, but it was refused: " + e.getMessage());
                atOpen++;
                byClass.computeIfAbsent(m.cls(), x -> new int[3])[0]++;
                Files.delete(p);
                continue;
            } catch (Throwable t) {
                throw new AssertionError(what + ": open threw " + t, t);
            }
            try (f) {
                if (want.invalid() != null) fail(what + ": opened, but the reference rules refuse it (" + want.invalid() + ")");
                assertEquals(want.tensors().keySet(), new java.util.HashSet<>(f.names()), what);
                boolean refused = false;
                for (var e : want.tensors().entrySet()) {
                    String name = e.getKey();
                    Object expected = e.getValue();
                    if (expected.equals("unreadable dtype")) continue;
                    try {
                        if (expected instanceof Tensor t) {
                            Tensor got = f.tensor(name);
                            assertArrayEquals(t.shape(), got.shape(), what + ": shape of " + name);
                            float[] gv = got.toArray(), tv = t.toArray();
                            for (int i = 0; i < tv.length; i++) {
                                assertEquals(Float.floatToIntBits(tv[i]), Float.floatToIntBits(gv[i]), what + ": " + name + "[" + i + "]");
                            }
                        } else if (expected instanceof IntTensor t) {
                            assertEquals(t, f.ints(name), what + ": " + name);
                        } else {
                            Object got = f.info(name).dtype().isInteger() ? f.ints(name) : f.tensor(name);
                            fail(what + ": tensor " + name + " read as " + got + ", expected a refusal (" + expected + ")");
                        }
                    } catch (SafetensorsException x) {
                        checkMessage(p, x, what);
                        assertTrue(x.getMessage().contains("tensor \"" + name + "\""), what + ": the message must name the tensor: " + x.getMessage());
                        if (!(expected instanceof String)) fail(what + ": " + name + " should read, but: " + x.getMessage());
                        refused = true;
                    }
                }
                if (refused) atRead++;
                else correct++;
                byClass.computeIfAbsent(m.cls(), x -> new int[3])[refused ? 1 : 2]++;
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(what + ": reading threw " + t, t);
            }
            Files.delete(p);
        }
        byClass.forEach((k, v) -> System.out.println("  " + k + ": " + (v[0] + v[1] + v[2]) + " mutations, " + v[0]
                + " refused when opened, " + v[1] + " refused when read, " + v[2] + " read correctly"));
        return new Counts(atOpen, atRead, correct);
    }

    private static void checkMessage(Path p, Exception e, String what) {
        String m = e.getMessage();
        assertTrue(m != null && m.startsWith(p + ": ") && m.length() > p.toString().length() + 10,
                what + ": the message must name the file and the fault: " + m);
        assertFalse(m.contains("\n"), what + ": one line: " + m);
    }
}
