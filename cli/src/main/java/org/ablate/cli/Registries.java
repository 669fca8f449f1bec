package org.ablate.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
        return ComponentRegistry.discover(List.of(ComponentRegistry.pluginLayer(plugins)));
    }
}
