package org.ablate.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The overrides every command that takes a run spec accepts: {@code --set path=value} reaches any knob;
 * the other flags are short spellings of the most common ones.
 */
final class SpecOptions {
    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override any spec value, e.g. --set run.steps=100 "
            + "--set model.attention.id=grouped-query --set optim.freeze=[embed_tokens.*] (repeatable; values are YAML).")
    List<String> set = new ArrayList<>();

    @Option(names = "--data", paramLabel = "FILE", description = "Training text: short for --set data.path=FILE.") String data;
    @Option(names = "--steps", description = "Short for --set run.steps=N.") Integer steps;
    @Option(names = "--batch-size", description = "Short for --set run.batch_size=N.") Integer batchSize;
    @Option(names = "--context", description = "Short for --set run.context=N.") Integer context;
    @Option(names = "--seed", description = "Short for --set run.seed=N.") Long seed;
    @Option(names = "--lr", description = "Short for --set optim.lr=X.") Double lr;

    /** The overrides in order: the short flags first, then every --set (so an explicit --set wins). */
    List<String> overrides() {
        List<String> out = new ArrayList<>();
        if (data != null) out.add("data.path=" + quote(data));
        if (steps != null) out.add("run.steps=" + steps);
        if (batchSize != null) out.add("run.batch_size=" + batchSize);
        if (context != null) out.add("run.context=" + context);
        if (seed != null) out.add("run.seed=" + seed);
        if (lr != null) out.add("optim.lr=" + lr);
        out.addAll(set);
        return out;
    }

    /** A path as a YAML string, whatever characters it holds. */
    private static String quote(String s) { return "'" + s.replace("'", "''") + "'"; }
}
