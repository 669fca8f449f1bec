package org.ablate.encodings;

import java.util.Arrays;
import org.ablate.api.ApiVersion;
import org.ablate.api.PositionalEncodingProvider;
import org.ablate.tensor.Tensor;

/** Shared by every provider of this module. */
abstract class Versioned implements PositionalEncodingProvider {
    @Override public final ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }

    static void checkPositions(String who, int offset, int length, int maxPositions) {
        if (offset < 0) throw new IllegalArgumentException(who + ": negative position offset " + offset);
        if (offset + length > maxPositions) {
            throw new IllegalArgumentException(who + ": positions " + offset + ".." + (offset + length - 1)
                    + " exceed max_positions " + maxPositions);
        }
    }

    static void checkShape(String who, Tensor x, int rank, int lastDim, String expected) {
        if (x.dim() != rank || x.size(-1) != lastDim) {
            throw new IllegalArgumentException(who + ": expected " + expected + ", got " + Arrays.toString(x.shape()));
        }
    }
}
