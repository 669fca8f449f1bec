package org.ablate.run;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A training run in a child JVM that a test kills at random moments: {@code KillChild SPEC OUT MODE OVERRIDES...},
 * MODE {@code new}, {@code resume} or {@code overwrite}.
 */
public final class KillChild {
    private KillChild() {}

    public static void main(String[] args) throws Exception {
        RunSpec spec = new SpecLoader(TestSpecs.REGISTRY).load(Path.of(args[0]), List.of(Arrays.copyOfRange(args, 3, args.length)));
        boolean resume = args[2].equals("resume"), overwrite = args[2].equals("overwrite");
        // 100 ms per step: a run outlasts the test's longest wait, so a kill always lands.
        TrainingCallback slow = new TrainingCallback() {
            @Override public void step(int step, int total, double loss, double lr, double tps) {
                try { Thread.sleep(100); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            }
        };
        new TrainingRun(TestSpecs.REGISTRY, System.out).run(spec, new TrainingRun.Options(Path.of(args[1]), null, resume, overwrite, List.of(slow)));
    }
}
