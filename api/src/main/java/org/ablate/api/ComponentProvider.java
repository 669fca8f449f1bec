package org.ablate.api;

import java.util.List;

/**
 * What every provider says about itself. Concrete providers implement one of the sub-interfaces
 * ({@link AttentionProvider}, {@link PositionalEncodingProvider}, ...) and are declared in their
 * module with {@code provides ... with ...}.
 *
 * <p>Providers must have a public no-argument constructor (or a public static {@code provider()}
 * method), be stateless and thread-safe; the components they create need not be.
 * Ids starting with {@code ablate-} are reserved for the toolkit's own modules.
 */
@Stable
public interface ComponentProvider {
    /** The name used in configs, e.g. {@code "multi-head"}, {@code "rope"}, {@code "top-p"}. Lower case, dashes. */
    String id();

    /** One line: what it is, and the paper it comes from when there is one. */
    String description();

    /**
     * The SPI version this provider was compiled against; implement as
     * {@code return new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR);}.
     */
    ApiVersion apiVersion();

    /** The parameters it accepts, with defaults and ranges; empty when none. */
    default List<ParamSpec> parameters() { return List.of(); }
}
