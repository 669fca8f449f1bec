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
        // A broken plugin is reported and left out; the toolkit and the other plugins still load.
        ComponentRegistry.Plugins loaded = ComponentRegistry.loadPlugins(plugins);
        ComponentRegistry registry = ComponentRegistry.discover(List.of(loaded.layer()));
        for (String s : loaded.skipped()) System.err.println("ablate: plugin skipped: " + s);
        for (String s : registry.skipped()) System.err.println("ablate: plugin skipped: " + s);
        return registry;
    }
}
