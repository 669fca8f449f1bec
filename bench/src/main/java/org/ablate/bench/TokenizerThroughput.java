package org.ablate.bench;

import java.nio.charset.StandardCharsets;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs {@link TokenizerBench} and prints encode throughput in MB/s (UTF-8 bytes of input per second). */
public final class TokenizerThroughput {
    private TokenizerThroughput() {}

    public static void main(String[] args) throws Exception {
        double mb = TokenizerBench.englishText().getBytes(StandardCharsets.UTF_8).length / 1e6;
        Options opts = new OptionsBuilder()
                .include(TokenizerBench.class.getName())
                .jvmArgsAppend("-Dablate.conformance.dir=" + System.getProperty("ablate.conformance.dir", "../shared/conformance"),
                        "-Dablate.bench.text=" + System.getProperty("ablate.bench.text", "/usr/share/common-licenses"),
                        "-Dablate.bench.mb=" + System.getProperty("ablate.bench.mb", "4"))
                .build();
        System.out.printf("text: %.2f MB%n", mb);
        for (RunResult r : new Runner(opts).run()) {
            var score = r.getPrimaryResult();
            System.out.printf("%-10s %8.1f MB/s  (± %.1f, %.3f encodes/s of %.2f MB)%n",
                    r.getParams().getParam("tokenizer"), score.getScore() * mb, score.getScoreError() * mb, score.getScore(), mb);
        }
    }
}
