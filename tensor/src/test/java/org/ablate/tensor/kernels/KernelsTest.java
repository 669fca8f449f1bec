package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.ablate.tensor.WidthOps;
import org.junit.jupiter.api.Test;

/** The backend in use by default, and the comparison harness itself. */
class KernelsTest {
    @Test
    void theDefaultBackendIsTheVectorOneAtThePreferredWidth() {
        if (System.getProperty("ablate.vector.bits") == null) {
            assertTrue(Kernels.ACTIVE instanceof VectorKernels, Kernels.ACTIVE.describe());
            assertEquals(VectorWidth.SPECIES, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
            assertEquals(VectorWidth.SPECIES, Simd.S);
            assertEquals(VectorWidth.SPECIES, Gemm.SPECIES);
        }
    }

    @Test
    void theActiveBackendAgreesWithTheScalarReferenceOnEveryKernel() {
        List<String> failures = KernelCases.run(Kernels.ACTIVE, new ScalarKernels());
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    /** The harness catches a kernel that is wrong in one element only. */
    @Test
    void aWrongKernelIsCaught() {
        Kernels broken = new ScalarKernels() {
            @Override public void softmaxGrad(float[] p, int po, float[] g, int go, float rowDot, int n) {
                super.softmaxGrad(p, po, g, go, rowDot, n);
                if (n > 16) g[go + 16] += 1e-3f;
            }
        };
        List<String> failures = KernelCases.run(broken, new ScalarKernels());
        assertTrue(failures.stream().anyMatch(f -> f.startsWith("softmaxGrad n=17")), failures.toString());
        // attention's backward runs on the backend's softmaxGrad too; nothing else is affected
        assertTrue(failures.stream().allMatch(f -> f.startsWith("softmaxGrad n=") || f.startsWith("attention ")), failures.toString());
    }

    /** The op-level comparison of {@link VectorWidthTest} passes rounding and catches a real difference. */
    @Test
    void theOpComparisonCatchesADifference() {
        Map<String, float[]> ref = Map.of("op: output", new float[] {1f, -2f, 3f});
        assertTrue(WidthOps.compare(ref, Map.of("op: output", new float[] {1f, -2f, 3.00001f})).isEmpty());
        assertEquals(List.of("op: output [1]: -2.01, reference -2.0"),
                WidthOps.compare(ref, Map.of("op: output", new float[] {1f, -2.01f, 3f})));
        assertEquals(1, WidthOps.compare(ref, Map.of("op: output", new float[] {1f, Float.NaN, 3f})).size());
    }

    @Test
    void anUnknownWidthIsRefusedNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose("1024"));
        assertEquals("ablate.vector.bits must be scalar, 64, 128, 256 or 512, got '1024'", e.getMessage());
        assertEquals(null, VectorWidth.choose("scalar"));
        assertEquals(jdk.incubator.vector.FloatVector.SPECIES_256, VectorWidth.choose(" 256 "));
    }
}
