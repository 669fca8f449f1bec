package org.ablate.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ablate.api.Params;

/** Where a data file named in a spec is. */
final class DataFiles {
    private DataFiles() {}

    /** {@code path} as given when absolute, else from the spec's folder when it exists there, else from the working folder. */
    static Path resolve(Params params, Path base) {
        Path p = Path.of(params.getString("path"));
        if (p.isAbsolute() || base == null) return p;
        Path near = base.resolve(p);
        return Files.exists(near) ? near : p;
    }
}
