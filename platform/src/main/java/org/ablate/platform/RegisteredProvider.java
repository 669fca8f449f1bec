package org.ablate.platform;

import org.ablate.api.ApiVersion;
import org.ablate.api.ComponentKind;
import org.ablate.api.ComponentProvider;

/**
 * A provider found by discovery.
 *
 * @param kind     which SPI it implements
 * @param provider the instance
 * @param module   the name of the module it came from ({@code "class path"} for unnamed modules)
 */
public record RegisteredProvider(ComponentKind kind, ComponentProvider provider, String module) {
    public String id() { return provider.id(); }

    /** Whether it was built against an SPI version this runtime accepts. */
    public boolean compatible() { return provider.apiVersion().isCompatibleWith(ApiVersion.current()); }
}
