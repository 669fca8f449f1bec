package org.ablate.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * One folder of the shared conformance data: {@code case.json} and the F32/I64 tensors of {@code io.safetensors}
 * (read by a small reader of the safetensors layout: 8-byte little-endian header size, JSON header, raw data).
 */
public final class ConformanceCase {
    private final String name;
    private final JsonNode json;
    private final Map<String, float[]> floats = new LinkedHashMap<>();
    private final Map<String, long[]> longs = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    private ConformanceCase(Path dir) throws IOException {
        this.name = dir.getFileName().toString();
        this.json = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        readSafetensors(dir.resolve("io.safetensors"));
    }

    /** The conformance folder: property {@code ablate.conformance.dir}, else {@code ../../shared/conformance}; must exist. */
    public static Path root() {
        String prop = System.getProperty("ablate.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        if (!Files.isDirectory(dir)) fail("conformance data not found at " + dir.toAbsolutePath() + " (set -Dablate.conformance.dir)");
        return dir;
    }

    public static ConformanceCase load(String caseName) {
        try {
            return new ConformanceCase(root().resolve(caseName));
        } catch (IOException e) {
            throw new AssertionError("cannot read conformance case " + caseName + ": " + e.getMessage(), e);
        }
    }

    /** Every case folder whose case.json has the given kind, sorted by name; fails when there is none. */
    public static List<ConformanceCase> ofKind(String kind) {
        List<ConformanceCase> out = new ArrayList<>();
        try (var dirs = Files.list(root())) {
            for (Path d : dirs.sorted().toList()) {
                Path cj = d.resolve("case.json");
                if (!Files.isRegularFile(cj)) continue;
                if (kind.equals(new ObjectMapper().readTree(cj.toFile()).path("kind").asText())) out.add(new ConformanceCase(d));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list conformance cases: " + e.getMessage(), e);
        }
        assertTrue(!out.isEmpty(), "no conformance case of kind " + kind + " under " + root());
        return out;
    }

    public String name() { return name; }
    public JsonNode params() { return json.path("params"); }
    public double atol() { return json.path("tolerance").path("atol").asDouble(); }
    public double rtol() { return json.path("tolerance").path("rtol").asDouble(); }
    public boolean has(String tensor) { return shapes.containsKey(tensor); }

    public Tensor tensor(String tensorName) {
        float[] f = floats.get(tensorName);
        if (f != null) return Tensor.of(f.clone(), shape(tensorName));
        long[] l = longs.get(tensorName);
        if (l == null) throw new AssertionError(name + ": no tensor \"" + tensorName + "\"; has " + shapes.keySet());
        float[] out = new float[l.length];
        for (int i = 0; i < l.length; i++) out[i] = l[i];
        return Tensor.of(out, shape(tensorName));
    }

    public IntTensor ints(String tensorName) {
        long[] l = longs.get(tensorName);
        if (l == null) throw new AssertionError(name + ": no I64 tensor \"" + tensorName + "\"");
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = Math.toIntExact(l[i]);
        return IntTensor.of(out, shape(tensorName));
    }

    public int[] shape(String tensorName) { return shapes.get(tensorName).clone(); }

    /** Asserts {@code |actual - expected| <= atol + rtol·|expected|} elementwise, reporting the worst element. */
    public void assertClose(String what, Tensor expected, Tensor actual) {
        assertClose(name + " " + what, expected, actual, atol(), rtol());
    }

    public static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs((double) a[i] - e[i]);
            double ratio = err / (atol + rtol * Math.abs(e[i]));
            if (!(ratio <= worst) || Double.isNaN(a[i])) { worst = Double.isNaN(a[i]) ? Double.POSITIVE_INFINITY : ratio; at = i; }
        }
        if (worst > 1) {
            fail(what + ": element " + at + " is " + a[at] + ", expected " + e[at] + " (error/tolerance " + worst + ")");
        }
    }

    private void readSafetensors(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(buf.array(), 8, Math.toIntExact(headerLen), java.nio.charset.StandardCharsets.UTF_8));
        int base = 8 + Math.toIntExact(headerLen);
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode info = e.getValue();
            int[] shape = new int[info.path("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = info.path("shape").get(i).asInt();
            int start = base + info.path("data_offsets").get(0).asInt(), end = base + info.path("data_offsets").get(1).asInt();
            String dtype = info.path("dtype").asText();
            shapes.put(e.getKey(), shape);
            switch (dtype) {
                case "F32" -> {
                    float[] v = new float[(end - start) / 4];
                    for (int i = 0; i < v.length; i++) v[i] = buf.getFloat(start + 4 * i);
                    floats.put(e.getKey(), v);
                }
                case "I64" -> {
                    long[] v = new long[(end - start) / 8];
                    for (int i = 0; i < v.length; i++) v[i] = buf.getLong(start + 8 * i);
                    longs.put(e.getKey(), v);
                }
                default -> throw new IOException(file + ": tensor " + e.getKey() + " has dtype " + dtype + "; this reader knows F32 and I64");
            }
        }
    }
}
