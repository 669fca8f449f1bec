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
 * @param version  the version of the code it came from: its module's version (a jar built by Maven carries the
 *                 project version), else its jar's {@code Implementation-Version}, else {@code "unversioned"}; a
 *                 study makes it part of a run's identity, so upgrading a provider's jar changes the run
 */
public record RegisteredProvider(ComponentKind kind, ComponentProvider provider, String module, String version) {
    /** A provider whose version is read from where its class came from. */
    public RegisteredProvider(ComponentKind kind, ComponentProvider provider, String module) {
        this(kind, provider, module, versionOf(provider.getClass()));
    }

    public String id() { return provider.id(); }

    /** Whether it was built against an SPI version this runtime accepts. */
    public boolean compatible() { return provider.apiVersion().isCompatibleWith(ApiVersion.current()); }

    /** The version of the module (or jar) {@code type} came from, or {@code "unversioned"}. */
    static String versionOf(Class<?> type) {
        Module m = type.getModule();
        if (m.isNamed() && m.getDescriptor() != null && m.getDescriptor().rawVersion().isPresent()) return m.getDescriptor().rawVersion().get();
        Package p = type.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null || v.isBlank() ? "unversioned" : v;
    }
}
