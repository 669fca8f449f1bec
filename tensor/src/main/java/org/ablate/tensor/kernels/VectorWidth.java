package org.ablate.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width of every kernel, read once from the system property {@code ablate.vector.bits}: unset (or
 * {@code preferred}) for {@link FloatVector#SPECIES_PREFERRED}, {@code scalar} for no vectors (the
 * {@link ScalarKernels} backend), or {@code 64}, {@code 128}, {@code 256}, {@code 512} to force a vector shape. A
 * shape wider than the machine's registers still computes the same results, through the Vector API's slow
 * fallback, so forcing one is for tests only.
 */
final class VectorWidth {
    /** The forced or preferred vector shape; null for {@code scalar}. */
    static final VectorSpecies<Float> SPECIES = choose(System.getProperty("ablate.vector.bits"));

    private VectorWidth() {}

    static VectorSpecies<Float> choose(String bits) {
        if (bits == null || bits.isBlank() || bits.trim().equals("preferred")) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "scalar" -> null;
            case "64" -> FloatVector.SPECIES_64;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException(
                    "ablate.vector.bits must be scalar, 64, 128, 256 or 512, got '" + bits + "'");
        };
    }
}
