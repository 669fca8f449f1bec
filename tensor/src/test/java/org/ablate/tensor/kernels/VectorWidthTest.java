package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ablate.tensor.WidthOps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every op at every vector width against the scalar reference. The width is fixed when {@link Kernels} is initialised,
 * so each forced width runs in its own JVM ({@link KernelCases#main}): there the {@link GemmCases} and every kernel
 * of the active backend must agree with {@link ScalarKernels}, and the op-level results of {@link WidthOps} (forward
 * and backward of every op that runs on the kernels) must agree with those of a child JVM on the scalar backend.
 * Widths up to 512 bits run on any machine: a shape wider than the machine's registers takes the Vector API's
 * slow, equally exact fallback instead of the vector instructions, so on a machine without AVX-512 the 512-bit case
 * checks the results but not the 512-bit instructions.
 */
class VectorWidthTest {
    private static Path dir;
    private static Map<String, float[]> scalar;

    @BeforeAll
    static void scalarReference() throws Exception {
        dir = Files.createTempDirectory("ablate-widths");
        String text = child("scalar", "", dir.resolve("scalar.bin"));
        assertTrue(text.contains("kernels: scalar reference"), "scalar backend not applied: " + text);
        scalar = WidthOps.read(dir.resolve("scalar.bin"));
        assertTrue(scalar.size() > 30, "op results: " + scalar.keySet());
    }

    @AfterAll
    static void clean() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    /** Runs KernelCases in a child JVM; returns its output after checking that it passed. */
    private static String child(String bits, String rows, Path results) throws IOException, InterruptedException {
        return child(bits, rows, "", results);
    }

    private static String child(String bits, String rows, String packedA, Path results) throws IOException, InterruptedException {
        return child(bits, rows, packedA, Gemm.K_PART, results);
    }

    private static String child(String bits, String rows, String packedA, int kPart, Path results) throws IOException, InterruptedException {
        return child(bits, rows, packedA, kPart, List.of(), results);
    }

    private static String child(String bits, String rows, String packedA, int kPart, List<String> extra, Path results)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Dablate.vector.bits=" + bits, "-Dablate.gemm.mr=" + rows, "-Dablate.gemm.kPart=" + kPart,
                "-Dablate.gemm.packedAFloats=" + (packedA.isEmpty() ? Gemm.PACKED_A_FLOATS : packedA), "-Xmx512m"));
        command.addAll(extra);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelCases.class.getName(), results.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(done, "child JVM did not finish: " + text);
        assertEquals(0, p.exitValue(), "ablate.vector.bits=" + bits + ":\n" + text);
        return text;
    }

    /**
     * Running a k panel in parts (Gemm.K_PART) keeps the exact partial sums between parts, so every op's output and
     * gradient must be the same, bit for bit, as with whole panels ("linear deep" has a 600-deep product).
     */
    @org.junit.jupiter.api.Test
    void panelsRunInPartsGiveTheBitsOfWholePanels() throws Exception {
        Path whole = dir.resolve("whole.bin"), parts = dir.resolve("parts.bin");
        child("512", "8", "", 0, whole);
        child("512", "8", "", 256, parts);
        assertSameBits(whole, parts, "panels in parts differ from whole panels");
    }

    /** Every op's output and gradient in {@code expected} and {@code actual} (WidthOps files) are equal bit for bit. */
    private static void assertSameBits(Path expected, Path actual, String what) throws IOException {
        Map<String, float[]> a = WidthOps.read(expected), b = WidthOps.read(actual);
        assertEquals(a.keySet(), b.keySet());
        for (String op : a.keySet()) {
            assertTrue(java.util.Arrays.equals(a.get(op), b.get(op)), op + ": " + what + " at element "
                    + java.util.Arrays.mismatch(a.get(op), b.get(op)));
        }
    }

    /**
     * Row blocks at home on one thread each (Gemm.HOME_BLOCKS) only change which thread computes a task: every op's
     * output and gradient must keep its bits. Two threads whatever the machine has, so the products over many rows
     * ("linear many rows") get homes.
     */
    @org.junit.jupiter.api.Test
    void rowBlocksAtHomeGiveTheSameBits() throws Exception {
        Path shared = dir.resolve("shared-home.bin"), homes = dir.resolve("homes.bin");
        child("512", "8", "", Gemm.K_PART, List.of("-XX:ActiveProcessorCount=2", "-Dablate.gemm.homeBlocks=0"), shared);
        child("512", "8", "", Gemm.K_PART, List.of("-XX:ActiveProcessorCount=2"), homes);
        assertSameBits(shared, homes, "row blocks at home differ from one shared home");
    }

    /**
     * Packed B panels that start 12 floats into their buffers on 64-byte object boundaries (the launcher's setting,
     * Gemm.B_ALIGN) only move where the slivers lie: every op's output and gradient must keep its bits.
     */
    @org.junit.jupiter.api.Test
    void alignedPanelsGiveTheSameBits() throws Exception {
        Path plain = dir.resolve("plain.bin"), aligned = dir.resolve("aligned.bin");
        child("512", "8", "", Gemm.K_PART, List.of("-Dablate.gemm.bAlign=0"), plain);
        String text = child("512", "8", "", Gemm.K_PART,
                List.of("-XX:ObjectAlignmentInBytes=64", "-Dablate.gemm.bAlign=12"), aligned);
        assertTrue(text.contains("kernels:"), text);
        assertSameBits(plain, aligned, "aligned panels differ");
    }

    /**
     * Decoding's matrix-vector product reading one weight row after another ({@code ablate.gemv.rows=1}) instead of
     * sixteen at a time adds the same terms in the same order: every op keeps its bits.
     */
    @org.junit.jupiter.api.Test
    void oneWeightRowAtATimeGivesTheSameBits() throws Exception {
        Path sixteen = dir.resolve("rows16.bin"), one = dir.resolve("rows1.bin");
        child("512", "8", "", Gemm.K_PART, List.of("-Dablate.gemv.rows=16"), sixteen);
        child("512", "8", "", Gemm.K_PART, List.of("-Dablate.gemv.rows=1"), one);
        assertSameBits(sixteen, one, "one weight row at a time differs from sixteen");
    }

    /**
     * "bits:rows" also forces the matrix-product micro-tile height, to cover every register-tile variant; a third
     * field caps the floats of A packed at once, so products over many rows pack A in chunks.
     */
    @ParameterizedTest(name = "ablate.vector.bits={0} (widths above the machine's fall back to the exact slow path)")
    @ValueSource(strings = {"128", "256", "512", "512:12:40000"})
    void everyOpAtThisWidthAgreesWithTheScalarReference(String config) throws Exception {
        String[] fields = config.split(":");
        String bits = fields[0];
        String rows = fields.length > 1 ? fields[1] : "";
        Path results = dir.resolve(bits + "-" + rows + ".bin");
        String text = child(bits, rows, fields.length > 2 ? fields[2] : "", results);
        assertTrue(text.contains("kernels: vector " + bits + "-bit"), "width not applied to the kernels: " + text);
        assertTrue(text.contains("sgemm: vector " + bits + "-bit"), "width not applied to sgemm: " + text);
        if (!rows.isEmpty()) assertTrue(text.contains("micro-tile " + rows + "x"), "micro-tile not applied: " + text);
        List<String> diffs = WidthOps.compare(scalar, WidthOps.read(results));
        assertTrue(diffs.isEmpty(), () -> "ablate.vector.bits=" + bits + " differs from the scalar backend:\n" + String.join("\n", diffs));
    }
}
