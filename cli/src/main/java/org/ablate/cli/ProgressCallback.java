package org.ablate.cli;

import java.util.Locale;
import java.util.Map;
import org.ablate.run.TrainingCallback;

/** Draws the progress bar and prints evaluations and checkpoints. */
final class ProgressCallback implements TrainingCallback {
    private final ProgressBar bar;

    ProgressCallback(java.io.PrintStream out) { this.bar = new ProgressBar(out); }

    @Override public void step(int step, int total, double loss, double lr, double tps) { bar.update(step, total, loss, tps); }

    @Override public void evaluated(int step, double loss, Map<String, Double> metrics) {
        StringBuilder more = new StringBuilder();
        metrics.forEach((k, v) -> more.append(String.format(Locale.ROOT, ", %s %.4g", k.replace("held_out_", ""), v)));
        bar.message(String.format(Locale.ROOT, "step %d: held-out loss %.4f, perplexity %.2f%s", step, loss, Math.exp(loss), more));
    }

    @Override public void checkpointed(int step, java.nio.file.Path folder) {
        bar.message("step " + step + ": checkpoint " + folder.getFileName());
    }
}
