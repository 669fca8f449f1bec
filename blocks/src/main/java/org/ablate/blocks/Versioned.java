package org.ablate.blocks;

import org.ablate.api.ApiVersion;
import org.ablate.api.BlockProvider;

/** The SPI version these providers were compiled against (the constants are inlined at compile time). */
abstract class Versioned implements BlockProvider {
    @Override public final ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
}
