package org.ablate.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.ablate.study.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ablate report STUDY_DIR}: tables, paired intervals, expectation verdicts and plots of a (possibly partial) study. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Report a study folder: per arm and metric the mean ± std over seeds and the paired difference to the baseline with "
                + "a 95 % t-interval (report.md, summary.csv, runs.csv), each expect: line's verdict, and PNG plots.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "STUDY_DIR", description = "The study folder `ablate study` wrote.")
    Path dir;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the report (default: STUDY_DIR/report).")
    Path out;

    @Override public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Report r = Report.read(dir);
        Path target = out != null ? out : dir.resolve("report");
        for (Path p : r.write(target)) System.out.println("wrote " + p);
        for (Report.Check c : r.checks()) {
            if (c.notAvailable() != null) {
                System.out.println(c.expectation().text() + ": not measurable (" + c.notAvailable() + ")");
                continue;
            }
            System.out.printf(Locale.ROOT, "%s: %s (%d pairs, mean difference %.4f, 95 %% interval [%.4f, %.4f])%n", c.expectation().text(), c.verdict(),
                    c.difference().n(), c.difference().mean(), c.difference().lo(), c.difference().hi());
        }
        return 0;
    }
}
