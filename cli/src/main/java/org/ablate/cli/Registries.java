package org.ablate.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.ablate.platform.ComponentRegistry;

/** Discovery shared by the commands: the toolkit's own modules plus an optional plugins folder. */
final class Registries {
    private Registries() {}

    static ComponentRegistry discover(Path plugins) throws IOException {
        if (plugins == null) {
            String env = System.getenv("ABLATE_PLUGINS");
            if (env != null && !env.isBlank()) plugins = Path.of(env);
        }
        if (plugins == null) return ComponentRegistry.discover();
        // A broken plugin is reported and left out; the toolkit and the other plugins still load.
        return ComponentRegistry.discover(plugins, s -> System.err.println("ablate: plugin skipped: " + s));
    }
}
