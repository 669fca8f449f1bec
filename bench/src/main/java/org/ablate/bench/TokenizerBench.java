package org.ablate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode throughput of the GPT-2 ({@code byte-bpe}) and BERT ({@code wordpiece}) tokenizers, loaded
 * through the SPI from the conformance folder, on a few MB of English text. One operation encodes the
 * whole text; {@link TokenizerThroughput} turns operations per second into MB/s.
 *
 * <p>Text: the file or folder named by {@code -Dablate.bench.text} (default {@code /usr/share/common-licenses},
 * English licence texts), concatenated and repeated up to {@code -Dablate.bench.mb} MB (default 4).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TokenizerBench {
    @Param({"byte-bpe", "wordpiece"})
    public String tokenizer;

    private Tokenizer tok;
    private String text;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path conf = Path.of(System.getProperty("ablate.conformance.dir", "../shared/conformance"));
        Path folder = conf.resolve(tokenizer.equals("byte-bpe") ? "tokenizer_gpt2" : "tokenizer_bert");
        tok = ComponentRegistry.discover().tokenizer(tokenizer).load(folder, Params.empty());
        text = englishText();
    }

    /** The benchmark text, in UTF-8 bytes. */
    public static String englishText() throws IOException {
        Path source = Path.of(System.getProperty("ablate.bench.text", "/usr/share/common-licenses"));
        long want = (long) (Double.parseDouble(System.getProperty("ablate.bench.mb", "4")) * 1_000_000);
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(source)) {
            try (Stream<Path> s = Files.walk(source)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        } else files.add(source);
        StringBuilder one = new StringBuilder();
        for (Path f : files) one.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)).append('\n');
        if (one.isEmpty()) throw new IOException("no benchmark text in " + source);
        StringBuilder sb = new StringBuilder((int) want + one.length());
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < want) sb.append(one);
        return sb.toString();
    }

    @Benchmark
    public int[] encode() {
        return tok.encode(text);
    }
}
