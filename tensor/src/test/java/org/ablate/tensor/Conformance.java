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

/** Locates and loads the shared conformance cases (system property {@code ablate.conformance.dir}). */
final class Conformance {
    private Conformance() {}

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

    record Case(String name, JsonNode json, Map<String, TestSafetensors.Entry> io, double atol, double rtol) {
        Tensor t(String key) { return entry(key).tensor(); }
        IntTensor ints(String key) { return entry(key).intTensor(); }
        boolean has(String key) { return io.containsKey(key); }
        JsonNode param(String key) { return json.path("params").path(key); }

        TestSafetensors.Entry entry(String key) {
            TestSafetensors.Entry e = io.get(key);
            if (e == null) fail(name + ": io.safetensors has no tensor " + key);
            return e;
        }

        /** Asserts |actual - expected| <= atol + rtol·|expected| elementwise against io tensor {@code key}. */
        void check(String key, Tensor actual) {
            if (actual == null) fail(name + ": " + key + " was not computed (null)");
            TestSafetensors.Entry e = entry(key);
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

    static Case load(Path dir) throws IOException {
        JsonNode json = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        JsonNode tol = json.get("tolerance");
        return new Case(json.get("name").asText(), json, TestSafetensors.read(dir.resolve("io.safetensors")),
                tol.get("atol").asDouble(), tol.get("rtol").asDouble());
    }
}
