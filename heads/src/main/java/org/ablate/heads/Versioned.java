package org.ablate.heads;

import org.ablate.api.ApiVersion;
import org.ablate.api.HeadProvider;

/** The SPI version these providers were compiled against (the constants are inlined at compile time). */
abstract class Versioned implements HeadProvider {
    @Override public final ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
}
