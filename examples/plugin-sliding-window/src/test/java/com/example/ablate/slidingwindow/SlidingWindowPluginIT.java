package com.example.ablate.slidingwindow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ablate train} on the module path, as ./ablate runs it, with this plugin's jar in a plugins folder:
 * the shipped spec {@code examples/plugin-sliding-window/gpt-char-sliding-window.yaml} (beside the plugin: the
 * shipped specs under examples/specs resolve without plugins) names the plugin's attention and trains.
 */
class SlidingWindowPluginIT {
    private static String prop(String name) {
        String v = System.getProperty(name);
        if (v == null) throw new IllegalStateException("system property " + name + " is not set; run through Maven (verify)");
        return v;
    }

    private record Result(int exit, String out) {}

    private static Result cli(String... args) throws IOException, InterruptedException {
        String javaExe = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(javaExe, "--add-modules", "jdk.incubator.vector", "-Dablate.home=" + prop("ablate.home"),
                "--module-path", prop("ablate.cli.modules") + java.io.File.pathSeparator + prop("ablate.cli.jar"),
                "-m", "org.ablate.cli/org.ablate.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "CLI did not finish");
        return new Result(p.exitValue(), out);
    }

    @Test
    void theShippedSpecTrainsWithThePluginsAttention(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(Path.of(prop("ablate.plugin.jar")), plugins.resolve("sliding-window.jar"));
        Path base = Path.of(prop("ablate.home"), "examples/plugin-sliding-window/gpt-char-sliding-window.yaml");
        Path spec = dir.resolve("sw.yaml");
        Files.writeString(spec, """
                extends: %s
                model: {layers: 1, d_model: 32, heads: 2, d_ff: 64, max_positions: 64, attention: {window: 8}}
                run: {steps: 4, batch_size: 2, context: 32, eval_every: 4, eval_batches: 1, checkpoint_every: 4}
                generation: {max_new_tokens: 12}
                """.formatted(base));

        Result without = cli("train", spec.toString(), "--out", dir.resolve("a").toString());
        assertEquals(1, without.exit(), without.out());
        assertTrue(without.out().contains("sliding-window"), "without the plugin, its attention is unknown: " + without.out());

        Result with = cli("train", spec.toString(), "--plugins", plugins.toString(), "--out", dir.resolve("b").toString());
        assertEquals(0, with.exit(), with.out());
        String resolved = Files.readString(dir.resolve("b/spec.yaml"));
        assertTrue(resolved.contains("sliding-window") && resolved.contains("window: 8"), "the resolved spec names the plugin's attention: " + resolved);
        String metrics = Files.readString(dir.resolve("b/metrics.jsonl"));
        assertTrue(metrics.lines().anyMatch(l -> l.contains("\"step\":4")), "trained to step 4: " + metrics);
    }
}
