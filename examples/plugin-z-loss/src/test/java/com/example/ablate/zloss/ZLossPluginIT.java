package com.example.ablate.zloss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ablate.testkit.AblateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ablate train} on the module path, as ./ablate runs it, with this plugin's jar in a plugins
 * folder: a run spec names the plugin's objective and head, and the plugin's Guice module joins the run.
 */
class ZLossPluginIT {
    private static String prop(String name) { return AblateCommand.property(name); }

    private static AblateCommand.Result cli(String... args) throws IOException, InterruptedException { return AblateCommand.run(args); }

    @Test
    void aSpecTrainsWithThePluginsObjectiveHeadAndGuiceModule(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(Path.of(prop("ablate.plugin.jar")), plugins.resolve("z-loss.jar"));
        Path base = Path.of(prop("ablate.home"), "examples/specs/gpt-char.yaml");
        Path spec = dir.resolve("z.yaml");
        Files.writeString(spec, """
                extends: %s
                model: {layers: 1, d_model: 32, heads: 2, d_ff: 64, max_positions: 64,
                        output_heads: {lm_head: {id: softcap-lm, cap: 20}}}
                objective: {id: z-loss, weight: 0.001}
                run: {steps: 4, batch_size: 2, context: 32, eval_every: 4, eval_batches: 1, checkpoint_every: 4}
                """.formatted(base));

        AblateCommand.Result without = cli("train", spec.toString(), "--out", dir.resolve("a").toString());
        assertEquals(1, without.exit(), without.out());
        assertTrue(without.out().contains("unknown head \"softcap-lm\""), "without the plugin, its head is unknown: " + without.out());

        AblateCommand.Result with = cli("train", spec.toString(), "--plugins", plugins.toString(), "--out", dir.resolve("b").toString());
        assertEquals(0, with.exit(), with.out());
        assertTrue(with.out().contains("z-loss plugin: trained to step 4"), "the plugin's Guice module joined the run: " + with.out());
        assertTrue(Files.readString(dir.resolve("b/spec.yaml")).contains("softcap-lm"), "the resolved spec names the plugin's head");
        assertTrue(Files.readString(dir.resolve("b/metrics.jsonl")).contains("log_z"), "the objective's metric is logged");
    }
}
