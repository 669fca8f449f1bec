package org.ablate.samplers;

import org.ablate.api.ApiVersion;
import org.ablate.api.SamplerProvider;

/** Shared by every provider of this module. */
abstract class Versioned implements SamplerProvider {
    @Override public final ApiVersion apiVersion() { return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR); }
}
