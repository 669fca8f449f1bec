package org.ablate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import org.ablate.models.conformance.CaseResult;
import org.ablate.models.conformance.ConformanceRunner;

/** {@code ablate conformance DIR}: checks every reference case under DIR against this build. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Run every case folder under DIR (case.json + io.safetensors, Hugging Face checkpoints) by its kind",
                "and print one line per case with its largest error relative to tolerance, then the totals.",
                "Exits 1 when any case fails or has a kind this build does not know, or DIR holds no case."})
final class ConformanceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Folder of conformance cases, one sub-folder each.")
    Path dir;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules (jars) from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        ConformanceRunner runner = new ConformanceRunner(Registries.discover(plugins));
        PrintWriter out = spec.commandLine().getOut();
        List<CaseResult> results = runner.runAll(dir);
        int width = 4, kindWidth = 4;
        for (CaseResult r : results) {
            width = Math.max(width, r.name().length());
            kindWidth = Math.max(kindWidth, r.kind().length());
        }
        int passed = 0;
        for (CaseResult r : results) {
            if (r.passed()) passed++;
            String worst = Double.isInfinite(r.worst()) ? "-" : String.format(Locale.ROOT, "%.3g", r.worst());
            out.printf(Locale.ROOT, "%-4s  %-" + width + "s  %-" + kindWidth + "s  max error %s × tolerance%s%n",
                    r.passed() ? "ok" : "FAIL", r.name(), r.kind(), worst, r.passed() ? "" : "  " + r.detail());
            out.flush();
        }
        out.printf("%d passed, %d failed%n", passed, results.size() - passed);
        out.flush();
        return passed == results.size() ? 0 : 1;
    }
}
