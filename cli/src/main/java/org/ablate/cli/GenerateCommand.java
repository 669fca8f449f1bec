package org.ablate.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import org.ablate.api.BeamSearch;
import org.ablate.api.ComponentKind;
import org.ablate.api.Sampler;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.run.RunSpec;
import org.ablate.run.SpecLoader;
import org.ablate.models.assembly.Model;
import org.ablate.models.generate.Generator;
import org.ablate.models.generate.SamplerChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ablate generate MODEL --prompt ...}: streams a continuation (decoder-only) or a target sequence
 * (encoder-decoder) to the console, or prints the best hypothesis of a beam search.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate from a checkpoint or a Hugging Face folder, streaming tokens as",
                "they come (sampler chain) or printing the best hypothesis (--beams).",
                "A decoder-only model continues the prompt; an encoder-decoder model reads",
                "the prompt as its source and writes the target from its decoder start token."})
final class GenerateCommand implements Callable<Integer> {
    static final String DEFAULT_SAMPLER = "temperature:value=0.8,top-p:p=0.95";

    @Parameters(index = "0", paramLabel = "MODEL", description = "Checkpoint folder of 'ablate train' or 'ablate import', "
            + "or a Hugging Face folder (GPT-2, LLaMA, BERT, Marian: config.json, weights, tokenizer files).")
    Path checkpoint;

    @Option(names = "--prompt", description = "Text to continue (decoder-only) or to translate (encoder-decoder).")
    String prompt;

    @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",",
            description = "The prompt as token ids, e.g. 5,17,3; for models without a readable tokenizer. Implies --ids.")
    int[] promptIds;

    @Option(names = "--ids", description = "Print token ids instead of text: the prompt (decoder-only) or the decoder "
            + "start token (encoder-decoder) followed by the generated ids, eos included.")
    boolean printIds;

    @Option(names = "--sampler", paramLabel = "CHAIN", description = "Sampler chain, e.g. greedy or "
            + "\"temperature:value=0.8,top-p:p=0.9\" (default: a run folder's generation section, else " + DEFAULT_SAMPLER + "). Not with --beams.")
    String sampler;

    @Option(names = "--beams", paramLabel = "N", description = "Beam search with N beams instead of a sampler chain; "
            + "prints the best finished hypothesis and its score.")
    Integer beams;

    @Option(names = "--length-penalty", paramLabel = "X", description = "Beam search: finished scores are divided by "
            + "(generated tokens)^X; > 0 favours longer outputs (default: 1.0).")
    Double lengthPenalty;

    @Option(names = "--early-stopping", description = "Beam search: stop once N hypotheses have finished.")
    boolean earlyStopping;

    @Option(names = "--max-new-tokens", description = "Tokens to generate at most (default: the run's generation section, else 200).")
    Integer maxNewTokens;

    @Option(names = "--window", paramLabel = "N", description = "Show the model at most N tokens: past them it rereads the last N/2 "
            + "from position 0, so it never sees a position it was not trained on and the text can run past max_positions "
            + "(default: a run folder's run.context; 0: no window, stop at max_positions). Sampling only.")
    Integer window;

    @Option(names = "--seed", description = "Seed of the random picks (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        if ((prompt == null) == (promptIds == null)) throw new IllegalArgumentException("give the prompt as either --prompt TEXT or --prompt-ids IDS");
        if (maxNewTokens != null && maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        if (beams == null && (lengthPenalty != null || earlyStopping)) {
            throw new IllegalArgumentException((lengthPenalty != null ? "--length-penalty" : "--early-stopping") + " applies to beam search; add --beams N");
        }
        ComponentRegistry registry = Registries.discover(plugins);
        BeamSearch search = null;
        SamplerChain chain = null;
        RunSpec.Generation fromRun = sampler == null && beams == null ? runGeneration(registry) : null;
        if (fromRun != null) {
            System.err.println("generation: " + describe(fromRun) + ", as " + checkpoint.resolve("spec.yaml")
                    + " says (--sampler or --beams overrides it)");
            if (maxNewTokens == null) maxNewTokens = fromRun.maxNewTokens();
            if (fromRun.strategy().equals("beam")) {
                beams = fromRun.beams();
                lengthPenalty = fromRun.lengthPenalty();
                earlyStopping = fromRun.earlyStopping();
            }
        }
        if (maxNewTokens == null) maxNewTokens = 200;
        if (beams != null) {
            search = beamSearch(registry);
        } else if (fromRun != null) {
            chain = DemoCommand.chain(registry, fromRun);
        } else {
            chain = SamplerChain.of(registry, SamplerChain.parse(sampler == null ? DEFAULT_SAMPLER : sampler));
        }
        ModelSource src = ModelSource.open(checkpoint, registry, promptIds == null, System.err);
        Tokenizer tokenizer = src.tokenizer();
        int[] ids;
        if (promptIds != null) {
            ids = promptIds.clone();
            int v = src.model().config().vocabSize();
            for (int id : ids) if (id < 0 || id >= v) throw new IllegalArgumentException("--prompt-ids: id " + id + " is outside the vocabulary [0, " + v + ")");
        } else {
            if (tokenizer == null) {
                throw new IllegalArgumentException(checkpoint + ": no tokenizer (tokenizer.json, vocab.json + merges.txt, encoder.json + vocab.bpe "
                        + "or vocab.txt); give the prompt as --prompt-ids");
            }
            ids = tokenizer.encode(prompt);
        }
        if (ids.length == 0) throw new IllegalArgumentException("--prompt encodes to no tokens; give some text");
        boolean asIds = printIds || promptIds != null || tokenizer == null;
        Model model = src.model();
        boolean seq2seq = model.config().hasEncoder();
        if (seq2seq && !model.config().hasDecoder()) {
            throw new IllegalArgumentException(checkpoint + ": an encoder-only (" + src.kind() + ") model does not generate; use a decoder-only or encoder-decoder model");
        }
        if (seq2seq && src.decoderStart() < 0) {
            throw new IllegalArgumentException(checkpoint + ": encoder-decoder generation needs a decoder start token; config.json has no "
                    + "decoder_start_token_id (and no tokenizer BOS or padding id stands in)");
        }
        LanguageModels.requireLmHead(checkpoint, model);
        LanguageModels.noteRewardModel(checkpoint, System.err);
        warnAboutUnknownText(tokenizer, prompt, ids);
        if (window != null && (search != null || seq2seq) && window != 0) {
            throw new IllegalArgumentException("--window applies to sampling from a decoder-only model" + (seq2seq ? "; this one is encoder-decoder" : "; drop --beams"));
        }
        if (window == null) {
            RunSpec run = search == null && !seq2seq ? runSpec(registry) : null;
            window = run == null ? 0 : Math.min(run.run().context(), model.config().maxPositions());
            if (window > 0 && ids.length + maxNewTokens > window) {
                System.err.println("generation: the model reads at most the last " + window + " tokens (run.context, what it was trained on); "
                        + "past them it rereads the last " + window / 2 + " (--window 0: no window)");
            }
        }
        if (window != 0 && (window < 2 || window > model.config().maxPositions())) {
            throw new IllegalArgumentException("--window " + window + ": expected 0 (no window) or 2 to max_positions " + model.config().maxPositions());
        }
        int budget = window > 0 ? maxNewTokens : model.config().maxPositions() - (seq2seq ? 1 : ids.length) + 1;
        if (budget < maxNewTokens) {
            System.err.println("ablate generate: note: the model has " + model.config().maxPositions() + " positions (max_positions), so at most "
                    + Math.max(budget, 0) + " of the " + maxNewTokens + " new tokens fit after the " + (seq2seq ? "start token" : ids.length + "-token prompt"));
        }
        PrintStream out = System.out;
        if (search != null) {
            BeamSearch.Hypothesis best = seq2seq
                    ? Generator.beamSeq2seq(model, search, ids, src.decoderStart(), maxNewTokens, src.eos())
                    : Generator.beam(model, search, ids, maxNewTokens, src.eos());
            if (asIds) {
                out.println(join(best.tokens()));
            } else {
                int[] gen = Arrays.copyOfRange(best.tokens(), seq2seq ? 1 : ids.length, best.tokens().length);
                out.println((seq2seq ? "" : prompt) + decode(tokenizer, gen));
            }
            System.err.printf("beam search: %d beams, score %.6f (sum of log-probabilities / generated tokens^%s)%n",
                    search.beams(), best.score(), lengthPenalty == null ? "1.0" : lengthPenalty.toString());
            return 0;
        }
        if (asIds) {
            int[] start = seq2seq ? new int[] {src.decoderStart()} : ids;
            out.print(join(start));
            out.flush();
            IntConsumer onToken = t -> { out.print(" " + t); out.flush(); };
            if (seq2seq) Generator.generateSeq2seq(model, ids, src.decoderStart(), chain, maxNewTokens, src.eos(), seed, onToken);
            else Generator.generate(model, ids, chain, maxNewTokens, src.eos(), seed, onToken, window);
        } else if (seq2seq) {
            TextStream text = new TextStream(tokenizer, src.eos(), out);
            Generator.generateSeq2seq(model, ids, src.decoderStart(), chain, maxNewTokens, src.eos(), seed, text);
        } else {
            stream(model, tokenizer, prompt, ids, src.eos(), chain, maxNewTokens, seed, window, out);
        }
        out.println();
        return 0;
    }

    /** Says which characters of a text prompt the tokenizer does not know (they became its unknown token). */
    private static void warnAboutUnknownText(Tokenizer tokenizer, String prompt, int[] ids) {
        if (tokenizer == null || prompt == null) return;
        int unk = tokenizer.specialTokens().unk();
        if (unk < 0 || Arrays.stream(ids).noneMatch(id -> id == unk)) return;
        java.util.Set<String> unknown = new java.util.LinkedHashSet<>();
        prompt.codePoints().distinct().limit(10_000).forEach(c -> {
            String ch = new String(Character.toChars(c));
            if (Arrays.stream(tokenizer.encode(ch)).anyMatch(id -> id == unk)) unknown.add(ch);
        });
        long count = Arrays.stream(ids).filter(id -> id == unk).count();
        System.err.println("ablate generate: note: " + count + " prompt token(s) are the tokenizer's unknown token"
                + (unknown.isEmpty() ? "" : ": it does not know " + String.join(", ", unknown.stream().map(u -> "\"" + u + "\"").toList()))
                + "; the model sees them all as one symbol");
    }

    /** A run folder's generation section (its resolved spec.yaml), or {@code null} for any other model folder. */
    private RunSpec.Generation runGeneration(ComponentRegistry registry) {
        RunSpec spec = runSpec(registry);
        return spec == null ? null : spec.generation();
    }

    private RunSpec runSpec;
    private boolean runSpecRead;

    /** A run folder's resolved spec.yaml, or {@code null} for any other model folder; read once, when first asked for. */
    private RunSpec runSpec(ComponentRegistry registry) {
        if (!runSpecRead) {
            runSpecRead = true;
            Path spec = checkpoint.resolve("spec.yaml");
            if (Files.isRegularFile(checkpoint.resolve(Checkpoint.RUN_MARKER)) && Files.isRegularFile(spec)) {
                runSpec = new SpecLoader(registry).load(spec, List.of());
            }
        }
        return runSpec;
    }

    private static String describe(RunSpec.Generation g) {
        return switch (g.strategy()) {
            case "beam" -> "beam search with " + g.beams() + " beams";
            case "greedy" -> "greedy";
            default -> "sampling through " + (g.processors().isEmpty() ? "no processors"
                    : String.join(", ", g.processors().stream().map(c -> c.id()).toList()));
        };
    }

    /** The beam-search sampler for --beams; a sampler chain other than greedy alongside it is refused. */
    private BeamSearch beamSearch(ComponentRegistry registry) {
        if (sampler != null) {
            List<String> other = new ArrayList<>();
            for (SamplerChain.Step s : SamplerChain.parse(sampler)) if (!s.id().equals("greedy")) other.add(s.id());
            if (!other.isEmpty()) {
                throw new IllegalArgumentException("--beams " + beams + " runs beam search, which keeps the best-scoring hypotheses; it cannot "
                        + "be combined with --sampler " + String.join(",", other) + ", which draws tokens at random. Drop --beams or --sampler.");
            }
        }
        Map<String, Object> raw = new java.util.LinkedHashMap<>();
        raw.put("beams", beams);
        if (lengthPenalty != null) raw.put("length_penalty", lengthPenalty);
        raw.put("early_stopping", earlyStopping);
        Sampler s = registry.sampler("beam-search").create(registry.params(ComponentKind.SAMPLER, "beam-search", raw));
        if (!(s instanceof BeamSearch bs)) throw new IllegalStateException("the beam-search sampler does not implement BeamSearch");
        return bs;
    }

    private static String join(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(sb.isEmpty() ? "" : " ").append(id);
        return sb.toString();
    }

    /** Prints the prompt, then each new piece of text as soon as it decodes to whole characters. */
    static String stream(Model model, Tokenizer tokenizer, String prompt, SamplerChain chain, int maxNewTokens, long seed, int window,
                         PrintStream out) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) throw new IllegalArgumentException("--prompt encodes to no tokens; give some text");
        return stream(model, tokenizer, prompt, ids, tokenizer.specialTokens().eos(), chain, maxNewTokens, seed,
                Math.min(window, model.config().maxPositions()), out);
    }

    /** The same for a prompt already encoded as {@code ids}, stopping at {@code eos}. */
    private static String stream(Model model, Tokenizer tokenizer, String prompt, int[] ids, int eos, SamplerChain chain,
                                 int maxNewTokens, long seed, int window, PrintStream out) {
        out.print(prompt);
        out.flush();
        TextStream text = new TextStream(tokenizer, eos, out);
        Generator.generate(model, ids, chain, maxNewTokens, eos, seed, text, window);
        return prompt + text.printed;
    }

    /**
     * The text of {@code ids} without special tokens. A model's vocabulary may be larger than its tokenizer's
     * (padded for speed); an id past the tokenizer's end shows as {@code [id N]}.
     */
    static String decode(Tokenizer tokenizer, int[] ids) {
        int n = tokenizer.vocabSize();
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int i = 0; i <= ids.length; i++) {
            if (i < ids.length && ids[i] < n) continue;
            if (i > from) sb.append(tokenizer.decode(Arrays.copyOfRange(ids, from, i), true));
            if (i < ids.length) sb.append("[id ").append(ids[i]).append(']');
            from = i + 1;
        }
        return sb.toString();
    }

    /** Receives generated ids and prints their text as it grows, holding back a partly decoded character. */
    private static final class TextStream implements IntConsumer {
        private final Tokenizer tokenizer;
        private final int eos;
        private final PrintStream out;
        private final List<Integer> generated = new ArrayList<>();
        final StringBuilder printed = new StringBuilder();

        TextStream(Tokenizer tokenizer, int eos, PrintStream out) {
            this.tokenizer = tokenizer;
            this.eos = eos;
            this.out = out;
        }

        @Override public void accept(int token) {
            if (token == eos) return;
            generated.add(token);
            String text = decode(tokenizer, generated.stream().mapToInt(Integer::intValue).toArray());
            // A byte-level token may end inside a multi-byte character: wait for the rest.
            if (text.endsWith("\uFFFD") || text.length() <= printed.length()) return;
            out.print(text.substring(printed.length()));
            out.flush();
            printed.setLength(0);
            printed.append(text);
        }
    }
}
