package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.ablate.tensor.io.TensorInfo;

/** Locates and loads the shared conformance cases (system property {@code ablate.conformance.dir}). */
final class Conformance {
    private Conformance() {}

    /** One tensor of a case's io.safetensors: floats for F32/F16/BF16, ints for I64/I32. */
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

    static Map<String, Entry> readAll(Path file) throws IOException {
        Map<String, Entry> out = new java.util.LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.open(file)) {
            for (String name : f.names()) {
                TensorInfo info = f.info(name);
                if (info.dtype().isFloat()) {
                    out.put(name, new Entry(info.dtype().name(), info.intShape(), f.tensor(name).toArray(), null));
                } else {
                    out.put(name, new Entry(info.dtype().name(), info.intShape(), null, f.ints(name).data().clone()));
                }
            }
        }
        return out;
    }

    static Path dir() {
        String p = System.getProperty("ablate.conformance.dir");
        Path d = p != null ? Path.of(p) : Path.of("../../shared/conformance");
        if (!Files.isDirectory(d)) fail("conformance folder missing: " + d.toAbsolutePath() + " (set -Dablate.conformance.dir)");
        return d;
    }

    /** Case folders whose name starts with one of the prefixes, sorted by name. */
    static List<Path> cases(String... prefixes) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir())) {
            s.filter(p -> Files.isRegularFile(p.resolve("case.json")))
                    .filter(p -> Stream.of(prefixes).anyMatch(x -> p.getFileName().toString().startsWith(x)))
                    .sorted()
                    .forEach(out::add);
        }
        if (out.isEmpty()) fail("no conformance cases with prefixes " + List.of(prefixes) + " in " + dir());
        return out;
    }

    record Case(String name, JsonNode json, Map<String, Entry> io, double atol, double rtol,
                java.util.Set<String> checked) {
        Tensor t(String key) { return entry(key).tensor(); }
        IntTensor ints(String key) { return entry(key).intTensor(); }
        boolean has(String key) { return io.containsKey(key); }
        JsonNode param(String key) { return json.path("params").path(key); }

        Entry entry(String key) {
            Entry e = io.get(key);
            if (e == null) fail(name + ": io.safetensors has no tensor " + key);
            return e;
        }

        /** Asserts |actual - expected| <= atol + rtol·|expected| elementwise against io tensor {@code key}. */
        void check(String key, Tensor actual) {
            checked.add(key);
            if (actual == null) fail(name + ": " + key + " was not computed (null)");
            Entry e = entry(key);
            float[] exp = e.floats();
            float[] act = actual.toArray();
            assertEquals(exp.length, act.length, name + ": " + key + " element count");
            if (e.shape().length == actual.dim()) {
                assertTrue(java.util.Arrays.equals(e.shape(), actual.shape()), name + ": " + key + " shape "
                        + java.util.Arrays.toString(actual.shape()) + " expected " + java.util.Arrays.toString(e.shape()));
            }
            for (int i = 0; i < exp.length; i++) {
                double tol = atol + rtol * Math.abs(exp[i]);
                if (!(Math.abs(act[i] - exp[i]) <= tol)) {
                    fail(name + ": " + key + "[" + i + "] = " + act[i] + ", expected " + exp[i] + " (tolerance " + tol + ")");
                }
            }
        }
    }

    /** Fails unless every expected gradient in the file (grad_* other than the grad_out input) was checked. */
    static void assertAllGradientsChecked(Case c) {
        for (String k : c.io().keySet()) {
            if (k.startsWith("grad_") && !k.equals("grad_out") && !c.checked().contains(k)) {
                fail(c.name() + ": expected gradient " + k + " is in the file but was not checked");
            }
        }
    }

    static Case load(Path dir) throws IOException {
        JsonNode json = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        JsonNode tol = json.get("tolerance");
        return new Case(json.get("name").asText(), json, readAll(dir.resolve("io.safetensors")),
                tol.get("atol").asDouble(), tol.get("rtol").asDouble(), new java.util.HashSet<>());
    }
}
