package org.ablate.run;

import java.nio.file.Path;
import java.util.List;

/** A training run in a child JVM that a test kills: {@code ResumeChild SPEC OUT}, slowed after step 10 so the kill lands mid-run. */
public final class ResumeChild {
    private ResumeChild() {}

    public static void main(String[] args) throws Exception {
        RunSpec spec = new SpecLoader(TestSpecs.REGISTRY).load(Path.of(args[0]), List.of());
        TrainingCallback slow = new TrainingCallback() {
            @Override public void step(int step, int total, double loss, double lr, double tps) {
                if (step > 10) {
                    try { Thread.sleep(200); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                }
            }
        };
        new TrainingRun(TestSpecs.REGISTRY, System.out).run(spec, new TrainingRun.Options(Path.of(args[1]), null, false, false, List.of(slow)));
    }
}
