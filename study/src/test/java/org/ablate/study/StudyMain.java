package org.ablate.study;

import java.nio.file.Path;

/** A study process a test kills: {@code StudyMain STUDY OUT}, one run at a time, each step slowed so the kill lands mid-run. */
public final class StudyMain {
    private StudyMain() {}

    public static void main(String[] args) throws Exception {
        Study study = Study.load(Path.of(args[0]), TestStudies.REGISTRY);
        StudyRunner runner = new StudyRunner(TestStudies.REGISTRY, System.out);
        Path out = Path.of(args[1]);
        runner.run(study, out, runner.plan(study, out), StudyRunTest.local(1, "-Dablate.test.stepMillis=120"));
    }
}
