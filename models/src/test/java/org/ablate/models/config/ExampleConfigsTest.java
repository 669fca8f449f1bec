package org.ablate.models.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every config shipped in examples/configs loads and builds, so the README's commands keep working. */
class ExampleConfigsTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    static List<Path> configs() throws IOException {
        Path dir = Path.of("..", "examples", "configs");
        assertTrue(Files.isDirectory(dir), "missing " + dir.toAbsolutePath());
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
            assertFalse(all.isEmpty(), "no configs in " + dir);
            return all;
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void loadsAndBuilds(Path file) {
        ModelConfig config = new ConfigLoader(REGISTRY).load(file);
        Model model = new ModelBuilder(REGISTRY).build(config, 0, null);
        assertTrue(model.parameterCount() > 0, file.toString());
    }
}
