package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector width is fixed when {@link Gemm} is initialised, so each forced width runs the shared cases in
 * its own JVM and must agree with the scalar reference there.
 */
class GemmVectorWidthTest {
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "128", "256", "512"})
    void everyForcedWidthAgreesWithReference(String bits) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Dablate.vector.bits=" + bits, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                GemmCases.class.getName()))
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(done, "child JVM did not finish: " + text);
        assertEquals(0, p.exitValue(), "ablate.vector.bits=" + bits + ":\n" + text);
        String expected = bits.equals("scalar") ? "vector scalar" : "vector " + bits + "-bit";
        assertTrue(text.contains(expected), "width not applied: " + text);
    }
}
