package org.ablate.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.DataSourceProvider;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.ablate.models.config.ConfigException;
import org.ablate.ngram.KneserNey;
import org.ablate.platform.ComponentRegistry;
import org.ablate.run.RunSpec;
import org.ablate.run.SpecLoader;
import org.ablate.tensor.IntTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ablate ngram}: the statistical baseline beside a transformer. Learns the tokenizer and splits the
 * data exactly as {@code ablate train} does for the same spec, counts an interpolated modified Kneser-Ney
 * model on the training tokens and prints held-out perplexity as one JSON object: over the windows
 * {@code ablate train}'s held-out evaluation reads ({@code run.eval_batches} batches of {@code run.batch_size}
 * windows of {@code run.context} tokens, each token conditioned only on the tokens before it in its window),
 * and over every held-out window.
 */
@Command(name = "ngram", mixinStandardHelpOptions = true,
        description = "Held-out perplexity of an interpolated modified Kneser-Ney n-gram model (Chen & Goodman 1999) on the "
                + "tokenizer and held-out split 'ablate train' uses for the same spec; prints one JSON object.")
final class NgramCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC",
            description = "Run spec whose tokenizer, data and run.context/batch_size/eval_batches to use (default: the demo's, gpt-char.yaml).")
    Path spec;

    @Option(names = "--order", paramLabel = "N", description = "The n-gram order (default: ${DEFAULT-VALUE}).")
    int order = 5;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Mixin SpecOptions options = new SpecOptions();

    @Override public Integer call() throws Exception {
        if (order < 1 || order > 16) throw new IllegalArgumentException("--order must be between 1 and 16, got " + order);
        long t0 = System.nanoTime();
        ComponentRegistry registry = Registries.discover(plugins);
        SpecLoader loader = new SpecLoader(registry);
        RunSpec run;
        if (spec != null) {
            run = loader.load(spec, options.overrides());
        } else {
            Path home = Path.of(System.getProperty("ablate.home", ".")).toAbsolutePath().resolve("examples").resolve("specs");
            run = loader.parse("embedded " + DemoCommand.SPEC, DemoCommand.resource(DemoCommand.SPEC), true, home, options.overrides());
        }
        if (run.data() == null) throw new ConfigException(run.source(), "data", "is required (e.g. data: {path: corpus.txt}, or --data FILE)");
        if (run.tokenizer() == null) throw new ConfigException(run.source(), "tokenizer", "is required, e.g. {id: char}");
        // The tokenizer is learned from the data as 'ablate train' learns it, so ids and vocabulary are the same.
        TokenizerProvider tp = registry.tokenizer(run.tokenizer().id());
        if (!tp.trainable()) {
            throw new ConfigException(run.source(), "tokenizer.id", "\"" + run.tokenizer().id() + "\" cannot be learned from the data; use char or byte-bpe");
        }
        DataSourceProvider dp = registry.data(run.data().id());
        Tokenizer tokenizer = tp.train(dp.tokenizerText(run.data().params(), run.base()), run.tokenizer().params());
        RunSpec.Run r = run.run();
        DataSource data = dp.open(run.data().params(), run.base(), tokenizer, r.context());
        int[] train = data.trainingTokens();
        if (train == null) {
            throw new ConfigException(run.source(), "data.id", "\"" + run.data().id() + "\" gives no single token stream to count; the n-gram "
                    + "baseline needs a text source such as text-windows");
        }
        KneserNey lm = KneserNey.train(train, order, tokenizer.vocabSize());
        long t1 = System.nanoTime();

        double nllEval = 0, nllAll = 0;
        long tokensEval = 0, tokensAll = 0;
        for (int i = 0; ; i++) {
            Batch b = data.heldOutBatch(i, r.batchSize(), r.context());
            if (b == null) break;
            IntTensor ids = b.get("input_ids"), labels = b.get("labels");
            int rows = ids.size(0), len = ids.size(1);
            int[] in = ids.data(), out = labels.data();
            for (int row = 0; row < rows; row++) {
                // The window as the transformer sees it: the inputs, then the last label.
                int[] window = new int[len + 1];
                System.arraycopy(in, row * len, window, 0, len);
                window[len] = out[row * len + len - 1];
                for (int j = 0; j < len; j++) {
                    int y = out[row * len + j];
                    if (y == Batch.IGNORE) continue;
                    double nll = -Math.log(lm.probability(window, 0, j + 1, y));
                    nllAll += nll;
                    tokensAll++;
                    if (i < r.evalBatches()) { nllEval += nll; tokensEval++; }
                }
            }
        }
        if (tokensAll == 0) throw new IllegalArgumentException(run.source() + ": the held-out data gives no window of run.context " + r.context());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", "interpolated modified Kneser-Ney");
        o.put("order", order);
        o.put("spec", run.source());
        o.put("data", data.describe());
        o.put("tokenizer", run.tokenizer().id());
        o.put("vocab_size", tokenizer.vocabSize());
        o.put("train_tokens", train.length);
        List<List<Double>> d = new java.util.ArrayList<>();
        for (int n = 1; n <= order; n++) d.add(java.util.Arrays.stream(lm.discounts(n)).boxed().toList());
        o.put("discounts", d);
        o.put("held_out_tokens", tokensEval);
        o.put("held_out_loss", nllEval / tokensEval);
        o.put("held_out_perplexity", Math.exp(nllEval / tokensEval));
        o.put("all_held_out_tokens", tokensAll);
        o.put("all_held_out_perplexity", Math.exp(nllAll / tokensAll));
        o.put("train_seconds", (t1 - t0) / 1e9);
        o.put("eval_seconds", (System.nanoTime() - t1) / 1e9);
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o));
        return 0;
    }
}
