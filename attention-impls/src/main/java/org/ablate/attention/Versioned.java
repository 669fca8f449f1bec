package org.ablate.attention;

import org.ablate.api.ApiVersion;
import org.ablate.api.AttentionProvider;

/** Shared by every provider of this module. */
abstract class Versioned implements AttentionProvider {
    @Override public final ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
}
