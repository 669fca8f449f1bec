package org.ablate.api;

/**
 * The version of this SPI. A provider reports the version it was compiled against; the registry
 * accepts it when {@link #isCompatibleWith(ApiVersion) compatible} with {@link #current()}.
 *
 * <p>Rule: same major version, and the provider's minor version is not newer than the runtime's
 * (a minor version only adds). Providers implement {@link ComponentProvider#apiVersion()} as
 * {@code return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR);} &mdash; the two constants are
 * inlined by the compiler, so the provider keeps the version it was built against.
 */
@Stable
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** Major version of the SPI in this build; bumped on incompatible changes. */
    public static final int MAJOR = 1;
    /** Minor version of the SPI in this build; bumped when something is added. */
    public static final int MINOR = 0;

    public ApiVersion {
        if (major < 0 || minor < 0) throw new IllegalArgumentException("ApiVersion: negative component " + major + "." + minor);
    }

    /** The SPI version of the running toolkit. */
    public static ApiVersion current() { return new ApiVersion(MAJOR, MINOR); }

    /** Parses {@code "1.0"}. */
    public static ApiVersion parse(String text) {
        String[] parts = text.trim().split("\\.");
        if (parts.length != 2) throw new IllegalArgumentException("ApiVersion: expected MAJOR.MINOR, got \"" + text + "\"");
        try {
            return new ApiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ApiVersion: expected MAJOR.MINOR, got \"" + text + "\"", e);
        }
    }

    /** True when a provider built against this version can run on {@code runtime}. */
    public boolean isCompatibleWith(ApiVersion runtime) {
        return major == runtime.major && minor <= runtime.minor;
    }

    @Override public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override public String toString() { return major + "." + minor; }
}
