package com.example.ablate.slidingwindow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ablate.testkit.AblateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ablate train} on the module path, as ./ablate runs it, with this plugin's jar in a plugins folder:
 * the shipped spec {@code examples/plugin-sliding-window/gpt-char-sliding-window.yaml} (beside the plugin: the
 * shipped specs under examples/specs resolve without plugins) names the plugin's attention and trains.
 */
class SlidingWindowPluginIT {
    private static String prop(String name) { return AblateCommand.property(name); }

    private static AblateCommand.Result cli(String... args) throws IOException, InterruptedException { return AblateCommand.run(args); }

    /** @param plugins the ABLATE_PLUGINS folder of the child process, or null */
    private static AblateCommand.Result cli(Path plugins, String... args) throws IOException, InterruptedException {
        return AblateCommand.run(plugins, args);
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

        AblateCommand.Result without = cli("train", spec.toString(), "--out", dir.resolve("a").toString());
        assertEquals(1, without.exit(), without.out());
        assertTrue(without.out().contains("sliding-window"), "without the plugin, its attention is unknown: " + without.out());

        AblateCommand.Result with = cli("train", spec.toString(), "--plugins", plugins.toString(), "--out", dir.resolve("b").toString());
        assertEquals(0, with.exit(), with.out());
        String resolved = Files.readString(dir.resolve("b/spec.yaml"));
        assertTrue(resolved.contains("sliding-window") && resolved.contains("window: 8"), "the resolved spec names the plugin's attention: " + resolved);
        String metrics = Files.readString(dir.resolve("b/metrics.jsonl"));
        assertTrue(metrics.lines().anyMatch(l -> l.contains("\"step\":4")), "trained to step 4: " + metrics);
    }

    /**
     * The shipped study resolves with the plugin (a dry run plans its 9 runs), and a shrunk copy of it runs: one arm
     * of full attention and one of the plugin's, each trained in its own JVM that finds the plugin through
     * ABLATE_PLUGINS.
     */
    @Test
    void aStudyArmRunsWithThePluginsAttention(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(Path.of(prop("ablate.plugin.jar")), plugins.resolve("sliding-window.jar"));
        Path shipped = Path.of(prop("ablate.home"), "examples/plugin-sliding-window/sliding-window-vs-full.yaml");
        AblateCommand.Result plan = cli(plugins, "study", shipped.toString(), "--dry-run", "--out", dir.resolve("plan").toString());
        assertEquals(0, plan.exit(), plan.out());
        assertTrue(plan.out().contains("3 arms x 3 seeds = 9 runs"), plan.out());

        Path study = dir.resolve("mini.yaml");
        Files.writeString(study, """
                name: sliding-window mini
                base: %s
                set: {model.layers: 1, model.d_model: 32, model.heads: 2, model.d_ff: 64, run.steps: 3, run.context: 32,
                      run.batch_size: 2, run.eval_every: 3, run.eval_batches: 1, run.checkpoint_every: 3}
                arms:
                  full: {model.attention: {id: multi-head}}
                  window-8: {model.attention: {id: sliding-window, window: 8}}
                seeds: [0]
                metrics: [loss]
                """.formatted(Path.of(prop("ablate.home"), "examples/specs/gpt-char.yaml")));
        AblateCommand.Result run = cli(plugins, "study", study.toString(), "--jobs", "1", "--out", dir.resolve("study").toString());
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("finished window-8/seed-0"), run.out());
        Path arm = dir.resolve("study/runs/window-8/seed-0");
        assertTrue(Files.readString(arm.resolve("spec.yaml")).contains("sliding-window"), "the arm's resolved spec names the plugin's attention");
        assertTrue(Files.readString(arm.resolve("metrics.jsonl")).contains("\"step\":3"), "the arm trained to step 3");
    }

    /** The plugin ships reference cases of its own kind; ablate conformance runs them through the plugin, and fails them without it. */
    @Test
    void thePluginsOwnConformanceCasesPass(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(Path.of(prop("ablate.plugin.jar")), plugins.resolve("sliding-window.jar"));
        String cases = Path.of(prop("ablate.home"), "examples/plugin-sliding-window/conformance").toString();
        AblateCommand.Result with = cli("conformance", cases, "--plugins", plugins.toString());
        assertEquals(0, with.exit(), with.out());
        assertTrue(with.out().contains("3 passed, 0 failed"), with.out());
        AblateCommand.Result without = cli("conformance", cases);
        assertEquals(1, without.exit(), without.out());
        assertTrue(without.out().contains("unknown kind \"sliding-window-attention\""), without.out());
    }
}
