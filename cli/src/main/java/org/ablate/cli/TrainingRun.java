package org.ablate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigException;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.models.train.TokenData;
import org.ablate.models.train.TrainListener;
import org.ablate.models.train.TrainOptions;
import org.ablate.models.train.TrainResult;
import org.ablate.models.train.Trainer;

/** What `ablate train` and `ablate demo` share: tokenizer, model, training with a progress bar, checkpoint. */
final class TrainingRun {
    record Outcome(Model model, Tokenizer tokenizer, TrainResult result, Path checkpoint) {}

    private TrainingRun() {}

    static Outcome run(ComponentRegistry registry, ModelConfig config, Path data, TrainOptions options, double heldOut,
                       Path out, PrintStream log) throws IOException {
        if (config.tokenizer() == null) {
            throw new ConfigException(config.source(), "tokenizer", "training needs a tokenizer, e.g. {id: char} or {id: byte-bpe, vocab_size: 512}");
        }
        String text = TokenData.readText(data);
        Tokenizer tokenizer = tokenizer(registry, config, text, log);
        // The vocabulary comes from the tokenizer (a trained one is only known now).
        Map<String, Object> map = new LinkedHashMap<>(config.toMap());
        map.put("vocab_size", tokenizer.vocabSize());
        ModelConfig sized = new ConfigLoader(registry).fromMap(config.source(), map);
        Model model = new ModelBuilder(registry).build(sized, options.seed(), log);

        TokenData tokens = TokenData.split(data.toString(), text, tokenizer, heldOut, options.contextLength() + 2);
        log.printf(Locale.ROOT, "data: %s, %,d training and %,d held-out tokens%n", data, tokens.train().length, tokens.heldOut().length);
        log.printf(Locale.ROOT, "training: %d steps of %d x %d tokens, AdamW lr %.1e (warmup %d, cosine to %.1e), clip %.1f, seed %d%n",
                options.steps(), options.batchSize(), options.contextLength(), options.learningRate(), options.warmupSteps(),
                options.minLearningRate(), options.clipNorm(), options.seed());
        ProgressBar bar = new ProgressBar(log);
        TrainResult result = new Trainer(model, options).train(tokens, new TrainListener() {
            @Override public void step(int step, int total, double loss, double lr, double tps) { bar.update(step, total, loss, tps); }
            @Override public void evaluated(int step, double loss) {
                bar.message(String.format(Locale.ROOT, "step %d: held-out loss %.4f, perplexity %.2f", step, loss, Math.exp(loss)));
            }
        });
        log.printf(Locale.ROOT, "held-out perplexity %.2f -> %.2f (loss %.4f -> %.4f), %,.0f tokens/s over %s%n",
                result.initialPerplexity(), result.finalPerplexity(), result.initialHeldOutLoss(), result.finalHeldOutLoss(),
                result.tokensPerSecond(), ProgressBar.clock(result.seconds()));

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("data", data.toString());
        metrics.put("steps", options.steps());
        metrics.put("initial_held_out_loss", result.initialHeldOutLoss());
        metrics.put("final_held_out_loss", result.finalHeldOutLoss());
        metrics.put("initial_perplexity", result.initialPerplexity());
        metrics.put("final_perplexity", result.finalPerplexity());
        metrics.put("tokens_per_second", result.tokensPerSecond());
        metrics.put("train_losses", result.trainLosses());
        Checkpoint.save(out, model, tokenizer, metrics);
        log.println("checkpoint: " + out);
        return new Outcome(model, tokenizer, result, out);
    }

    /** Trains the config's tokenizer on the training text. */
    static Tokenizer tokenizer(ComponentRegistry registry, ModelConfig config, String text, PrintStream log) throws IOException {
        String id = config.tokenizer().id();
        TokenizerProvider provider = registry.tokenizer(id);
        var params = registry.params(ComponentKind.TOKENIZER, id, config.tokenizer().params().values());
        if (!provider.trainable()) {
            throw new ConfigException(config.source(), "tokenizer.id", "training learns the tokenizer from the data, but \"" + id
                    + "\" cannot be trained; use char or byte-bpe");
        }
        Tokenizer tokenizer = provider.train(text, params);
        log.printf(Locale.ROOT, "tokenizer: %s, %,d ids%n", id, tokenizer.vocabSize());
        return tokenizer;
    }

}
