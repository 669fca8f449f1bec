package org.ablate.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with loss, throughput and ETA. On a terminal it redraws in place; when the
 * output is a file or a pipe (CI logs) it prints a plain line every tenth of the run instead.
 */
final class ProgressBar {
    private static final int WIDTH = 28;
    private final PrintStream out;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private int lastDecile = -1;

    ProgressBar(PrintStream out) {
        this.out = out;
        this.interactive = System.console() != null && System.console().isTerminal();
    }

    void update(int step, int total, double loss, double tokensPerSecond) {
        double done = (double) step / total;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double eta = step == 0 ? 0 : elapsed / step * (total - step);
        int filled = (int) Math.round(done * WIDTH);
        String line = String.format(Locale.ROOT, "[%s%s] %d/%d loss %.4f  %,.0f tok/s  elapsed %s  ETA %s",
                "=".repeat(filled), " ".repeat(WIDTH - filled), step, total, loss, tokensPerSecond, clock(elapsed), clock(eta));
        if (interactive) {
            out.print("\r" + line);
            if (step == total) out.println();
        } else {
            int decile = (int) (done * 10);
            if (decile != lastDecile || step == total) {
                lastDecile = decile;
                out.println(line);
            }
        }
        out.flush();
    }

    /** Prints a message on its own line without breaking the bar. */
    void message(String text) {
        if (interactive) out.print("\r\033[K");
        out.println(text);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
