package com.example.ablate.topa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ablate.testkit.AblateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code ablate} CLI on the module path, as ./ablate does, with this plugin's jar in a
 * plugins folder: the plugin must be discovered from its own module layer, without a rebuild.
 */
class PluginLoadingIT {
    private static String prop(String name) { return AblateCommand.property(name); }

    /** Runs the CLI; it must succeed. */
    private static String cli(String... args) throws IOException, InterruptedException {
        AblateCommand.Result r = AblateCommand.run(args);
        assertEquals(0, r.exit(), r.out());
        return r.out();
    }

    @Test
    void pluginFromAFolderIsListedWithItsModule(@TempDir Path plugins) throws Exception {
        Files.copy(Path.of(prop("ablate.plugin.jar")), plugins.resolve("top-a.jar"));
        String without = cli("components");
        assertTrue(!without.contains("top-a"), without);
        String with = cli("components", "--plugins", plugins.toString());
        assertTrue(with.lines().anyMatch(l -> l.contains("top-a") && l.contains("com.example.ablate.topa") && l.contains("SPI 1.0")), with);
    }

    /** A corrupt or empty jar beside a good plugin is reported by name and left out; the good one still loads. */
    @Test
    void aBrokenJarIsReportedAndSkippedNotFatal(@TempDir Path plugins) throws Exception {
        Files.copy(Path.of(prop("ablate.plugin.jar")), plugins.resolve("top-a.jar"));
        Files.write(plugins.resolve("corrupt.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, 42});
        Files.write(plugins.resolve("empty.jar"), new byte[0]);
        String out = cli("components", "--plugins", plugins.toString());
        assertTrue(out.lines().anyMatch(l -> l.contains("top-a") && l.contains("com.example.ablate.topa")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("ablate: plugin skipped: ") && l.contains("corrupt.jar")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("ablate: plugin skipped: ") && l.contains("empty.jar")), out);
    }
}
