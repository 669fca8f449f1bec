package org.ablate.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

import org.ablate.api.ParameterScope;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.assembly.ModelModule;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigException;
import org.ablate.models.config.ModelConfig;
import org.ablate.models.hf.HuggingFace;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;

/**
 * A training run from a resolved spec into a run folder: {@code run.json} (the marker, the spec's hash
 * and status), {@code spec.yaml} (the resolved spec), {@code metrics.jsonl} (one line per step and per
 * evaluation), {@code checkpoints/step-N/} (resumable: weights, tokenizer, optimizer state, trainer
 * state; written atomically, {@code checkpoints/latest} names the newest) and, at the end, {@code model/}.
 * The folder is checked before any work: an existing file, or a folder that is not an earlier run, is
 * never touched. SIGINT and SIGTERM write a last checkpoint and say where.
 */
public final class TrainingRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    /**
     * @param out       the run folder
     * @param from      weights to start from (an Ablate checkpoint or run, or a Hugging Face folder), or {@code null}
     * @param resume    continue the run in {@code out} from its latest checkpoint
     * @param overwrite replace {@code out} when it holds an earlier run (never anything else)
     * @param callbacks more listeners (e.g. a progress bar)
     */
    public record Options(Path out, Path from, boolean resume, boolean overwrite, List<TrainingCallback> callbacks) {
        public Options {
            callbacks = List.copyOf(callbacks);
            if (resume && from != null) throw new IllegalArgumentException("--resume continues a run from its own checkpoint; --from starts a new one; give one");
        }
    }

    public record Outcome(Model model, Tokenizer tokenizer, TrainResult result, Path folder) {}

    private final ComponentRegistry registry;
    private final PrintStream log;

    public TrainingRun(ComponentRegistry registry, PrintStream log) {
        this.registry = registry;
        this.log = log;
    }

    public Outcome run(RunSpec spec, Options options) throws IOException {
        Path out = options.out().toAbsolutePath().normalize();
        if (spec.tokenizer() == null) {
            throw new ConfigException(spec.source(), "tokenizer", "training needs a tokenizer, e.g. {id: char} or {id: byte-bpe, vocab_size: 512}");
        }
        // The folder the weights start from; recorded in run.json so that a resumed run finds it again (e.g. as its reference model).
        Path parent = options.from() != null ? options.from().toAbsolutePath().normalize() : options.resume() ? recordedParent(out) : null;
        Lineage lineage = Lineage.of(spec, parent);
        Path resumeFrom = options.resume() ? prepareResume(out, spec) : prepareNew(out, spec, options.overwrite(), lineage);

        // The tokenizer: the checkpoint's when resuming, the source's when fine-tuning, else trained on the data.
        Tokenizer tokenizer;
        Model source = null;
        if (resumeFrom != null) {
            tokenizer = Checkpoint.load(resumeFrom, registry).tokenizer();
        } else if (options.from() != null) {
            Checkpoint.Loaded loaded = loadSource(options.from(), spec);
            source = loaded.model();
            tokenizer = loaded.tokenizer();
        } else {
            tokenizer = trainTokenizer(spec);
        }
        ModelConfig config = spec.model().withVocabSize(source != null ? source.config().vocabSize() : tokenizer.vocabSize());
        ModelBuilder.checkSize(config, 16, "to train");
        ModelBuilder.checkTrainingMemory(spec.source(), config, spec.run().batchSize(), spec.run().context());

        List<Module> modules = new ArrayList<>();
        modules.add(new RunModule(spec, registry, tokenizer, parent));
        modules.add(new ModelModule(config, registry, ParameterScope.root(spec.run().seed())));
        modules.add(new AbstractModule() {
            @Override protected void configure() {
                Multibinder<TrainingCallback> set = Multibinder.newSetBinder(binder(), TrainingCallback.class);
                for (TrainingCallback c : options.callbacks()) set.addBinding().toInstance(c);
                set.addBinding().toInstance(new MetricsFile(out.resolve("metrics.jsonl")));
            }
        });
        for (RunPlugin p : plugins()) modules.add(p.module(spec));
        Injector injector;
        try {
            injector = Guice.createInjector(modules);
        } catch (com.google.inject.CreationException e) {
            throw ModelBuilder.unwrap(e);
        }
        Model model = instance(injector, Model.class);
        ModelBuilder.describe(model, log);
        checkObjective(spec, instance(injector, org.ablate.api.Objective.class), model);

        Trainer.Start start = Trainer.Start.fresh();
        if (resumeFrom != null) start = loadState(resumeFrom, model);
        else if (source != null) copyWeights(source, model, options.from());

        ParameterGroups.Split split = ParameterGroups.split(model.parameters(), spec.optim(), spec.source());
        log.printf(Locale.ROOT, "parameters: %,d train, %,d frozen%s%n", split.trainableCount(), split.frozenCount(),
                split.frozen().isEmpty() ? "" : " (" + String.join(", ", spec.optim().freeze()) + ")");
        Trainer trainer = instance(injector, Trainer.class);
        log.println("data: " + instance(injector, org.ablate.api.DataSource.class).describe());
        RunSpec.Run r = spec.run();
        log.printf(Locale.ROOT, "training: %d steps of %d x %d tokens, %s lr %.1e (%s, warmup %d), clip %.1f, seed %d%s%n",
                r.steps(), r.batchSize(), r.context(), spec.optim().id(), spec.optim().lr(), spec.schedule().id(), spec.schedule().warmup(),
                spec.optim().clip(), r.seed(), start.step() > 0 ? ", resuming after step " + start.step() : "");
        if (start.step() > 0) MetricsFile.truncate(out.resolve("metrics.jsonl"), start.step());

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try { finished.await(120, TimeUnit.SECONDS); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }, "ablate-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        TrainResult result;
        try {
            Tokenizer tok = tokenizer;
            result = trainer.train(split, start, (step, optimizer, losses, evals) -> saveCheckpoint(out, step, model, tok, optimizer.state(), losses, evals),
                    stop::get);
        } catch (Trainer.Stopped s) {
            log.println();
            log.println("stopped after step " + s.step + "; checkpoint " + s.checkpoint + "; continue with --resume --out " + out);
            writeStatus(out, spec, "stopped", s.step, lineage);
            throw s;
        } catch (RuntimeException | IOException e) {
            writeStatus(out, spec, "failed", -1, lineage);
            throw e;
        } finally {
            finished.countDown();
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException shuttingDown) { /* the JVM is exiting */ }
        }
        log.printf(Locale.ROOT, "held-out perplexity %.2f -> %.2f (loss %.4f -> %.4f), %,.0f tokens/s%n", result.initialPerplexity(),
                result.finalPerplexity(), result.initialHeldOutLoss(), result.finalHeldOutLoss(), result.tokensPerSecond());
        Map<String, Double> atContext = new LinkedHashMap<>();
        new java.util.TreeMap<>(result.heldOutAtContext()).forEach((c, l) -> atContext.put(Integer.toString(c), l));
        if (!atContext.isEmpty()) {
            StringBuilder line = new StringBuilder("held-out loss by context (the same " + r.heldOutTokens() + " tokens):");
            atContext.forEach((c, l) -> line.append(String.format(Locale.ROOT, " %s: %.4f", c, l)));
            log.println(line);
        }

        Map<String, Object> translation = Map.of();
        if (model.hasEncoder() && model.hasDecoder()) {
            // An encoder-decoder run is judged by its translations of the held-out pairs, not by perplexity alone.
            TranslationEvaluation.Result t = TranslationEvaluation.evaluate(registry, model, tokenizer,
                    injector.getInstance(org.ablate.api.DataSource.class), r.evalBatches(), r.batchSize(), r.context(),
                    spec.generation().maxNewTokens(), TranslationEvaluation.beamOf(registry, spec.generation()));
            log.println(t.summary());
            for (List<String> e : t.examples()) log.println("  source: " + e.get(0) + "\n  reference: " + e.get(1) + "\n  greedy: " + e.get(2));
            translation = t.metrics();
        }

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("spec_sha256", spec.hash());
        metrics.put("objective", spec.objective().id());
        if (parent != null) metrics.put("from", parent.toString());
        metrics.put("stage", lineage.stage());
        metrics.put("steps", r.steps());
        metrics.put("initial_held_out_loss", result.initialHeldOutLoss());
        metrics.put("final_held_out_loss", result.finalHeldOutLoss());
        metrics.put("initial_perplexity", result.initialPerplexity());
        metrics.put("final_perplexity", result.finalPerplexity());
        metrics.put("tokens_per_second", result.tokensPerSecond());
        if (!atContext.isEmpty()) metrics.put("held_out_loss_by_context", atContext);
        metrics.putAll(translation);
        metrics.put("train_losses", result.trainLosses());
        Checkpoint.save(out.resolve("model"), model, tokenizer, metrics);
        writeStatus(out, spec, "finished", r.steps(), lineage);
        deleteTree(out.resolve("checkpoints"));
        log.println("run folder: " + out);
        return new Outcome(model, tokenizer, result, out);
    }

    /** What the injector builds; a provider's own error (a bad data line, a missing reference model) instead of Guice's wrapping of it. */
    private static <T> T instance(Injector injector, Class<T> type) throws IOException {
        try {
            return injector.getInstance(type);
        } catch (com.google.inject.ProvisionException e) {
            RuntimeException cause = ModelBuilder.unwrap(e);
            if (cause instanceof java.io.UncheckedIOException u) throw u.getCause();
            throw cause;
        }
    }

    /** The objective's own check of the model (an encoder, the head it scores), reported against the spec's objective. */
    static void checkObjective(RunSpec spec, org.ablate.api.Objective objective, Model model) {
        try {
            objective.check(model);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(spec.source(), "objective.id", e.getMessage(), e);
        }
    }

    /** Run plugins' Guice modules, from the class path, the boot layer and the registry's plugin layers. */
    private List<RunPlugin> plugins() {
        List<RunPlugin> out = new ArrayList<>();
        java.util.Set<Class<?>> seen = new java.util.HashSet<>();
        List<ServiceLoader<RunPlugin>> loaders = new ArrayList<>();
        loaders.add(ServiceLoader.load(RunPlugin.class, TrainingRun.class.getClassLoader()));
        for (ModuleLayer l : registry.layers()) loaders.add(ServiceLoader.load(l, RunPlugin.class));
        for (ServiceLoader<RunPlugin> l : loaders) {
            for (RunPlugin p : l) {
                if (seen.add(p.getClass())) {
                    out.add(p);
                    log.println("run plugin: " + p.name());
                }
            }
        }
        return out;
    }

    private Tokenizer trainTokenizer(RunSpec spec) throws IOException {
        if (spec.data() == null) throw new ConfigException(spec.source(), "data", "is required to train (e.g. data: {path: corpus.txt}, or --data FILE)");
        TokenizerProvider provider = registry.tokenizer(spec.tokenizer().id());
        if (!provider.trainable()) {
            throw new ConfigException(spec.source(), "tokenizer.id", "the run learns its tokenizer from the data, but \"" + spec.tokenizer().id()
                    + "\" cannot be trained; use char or byte-bpe, or start from a model with --from");
        }
        String text = registry.data(spec.data().id()).tokenizerText(spec.data().params(), spec.base());
        Tokenizer t = provider.train(text, spec.tokenizer().params());
        log.printf(Locale.ROOT, "tokenizer: %s, %,d ids%n", spec.tokenizer().id(), t.vocabSize());
        return t;
    }

    private Checkpoint.Loaded loadSource(Path from, RunSpec spec) throws IOException {
        Path config = from.resolve("config.json");
        boolean hf = Files.isRegularFile(config) && LINE.readTree(config.toFile()).has("model_type");
        if (!hf) {
            Checkpoint.Loaded c = Checkpoint.load(from, registry);
            if (c.tokenizer() == null) throw new IOException(from + ": the checkpoint has no tokenizer to train with");
            log.println("starting from checkpoint " + from);
            return c;
        }
        Model m = new HuggingFace(registry).load(from).model();
        Tokenizer t = registry.tokenizer(spec.tokenizer().id()).load(from, spec.tokenizer().params());
        log.println("starting from Hugging Face folder " + from);
        return new Checkpoint.Loaded(m, t, Map.of());
    }

    /**
     * Copies the source's weights by name. A weight of a head the source lacks stays initialised (a new head);
     * a source weight of a head the target lacks is dropped; any other missing name or a shape mismatch fails.
     */
    private void copyWeights(Model source, Model target, Path from) throws IOException {
        Map<String, Tensor> src = source.parameters(), dst = target.parameters();
        List<String> fresh = new ArrayList<>(), dropped = new ArrayList<>();
        for (var e : dst.entrySet()) {
            Tensor s = src.get(e.getKey());
            String head = e.getKey().substring(0, Math.max(0, e.getKey().indexOf('.')));
            if (s == null) {
                if (target.heads().contains(head) && !source.heads().contains(head)) { fresh.add(e.getKey()); continue; }
                throw new IOException(from + ": has no weight \"" + e.getKey() + "\" that the spec's model needs (its weights look like "
                        + String.join(", ", src.keySet().stream().limit(4).toList()) + ", ...)");
            }
            if (!Arrays.equals(s.shape(), e.getValue().shape())) {
                throw new IOException(from + ": weight \"" + e.getKey() + "\" has shape " + Arrays.toString(s.shape())
                        + ", the spec's model expects " + Arrays.toString(e.getValue().shape()));
            }
            Checkpoint.copyInto(e.getValue(), s);
        }
        for (String n : src.keySet()) {
            if (dst.containsKey(n)) continue;
            String head = n.substring(0, Math.max(0, n.indexOf('.')));
            if (source.heads().contains(head) && !target.heads().contains(head)) { dropped.add(n); continue; }
            throw new IOException(from + ": weight \"" + n + "\" has no place in the spec's model; the spec and the source differ in structure");
        }
        if (!fresh.isEmpty()) log.println("new heads, initialised: " + fresh);
        if (!dropped.isEmpty()) log.println("source heads left out: " + dropped);
    }

    // --- the run folder -------------------------------------------------------------------------------

    private Path prepareNew(Path out, RunSpec spec, boolean overwrite, Lineage lineage) throws IOException {
        if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(out + ": exists and is not a folder; nothing was written (choose another --out)");
            }
            boolean empty;
            try (Stream<Path> s = Files.list(out)) { empty = s.findAny().isEmpty(); }
            if (!empty) {
                if (!Files.isRegularFile(out.resolve(Checkpoint.RUN_MARKER))) {
                    throw new IOException(out + ": exists, is not empty and is not an Ablate run folder; nothing was written (choose another --out)");
                }
                if (!overwrite) {
                    throw new IOException(out + ": holds an earlier run; continue it with --resume, replace it with --overwrite, or choose another --out");
                }
                List<Path> entries;
                try (Stream<Path> s = Files.list(out)) { entries = s.toList(); }
                for (Path p : entries) {
                    String n = p.getFileName().toString();
                    if (!List.of("run.json", "spec.yaml", "metrics.jsonl", "checkpoints", "model").contains(n) && !n.startsWith(".")) {
                        throw new IOException(out + ": holds \"" + n + "\", which no run writes; nothing was replaced (move it away first)");
                    }
                }
                for (Path p : entries) deleteTree(p);
            }
        }
        Files.createDirectories(out);
        Path probe = out.resolve(".write-test");
        try {
            Files.writeString(probe, "ok");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException(out + ": cannot write here (" + e.getMessage() + "); nothing was trained", e);
        }
        long weights = spec.model().estimatedParameters() * 4L;
        long free = Files.getFileStore(out).getUsableSpace();
        if (free < 3 * weights) {
            throw new IOException(String.format(Locale.ROOT, "%s: %.1f MB free, a run needs about %.1f MB (model and checkpoints); nothing was trained",
                    out, free / 1e6, 3 * weights / 1e6));
        }
        Files.writeString(out.resolve("spec.yaml"), "# resolved from " + spec.source() + "\n" + lineage.yamlComments() + SpecLoader.toYaml(spec.resolved()));
        writeStatus(out, spec, "running", 0, lineage);
        return null;
    }

    /** The checkpoint to resume from, after checking the folder is a run of this very spec. */
    private Path prepareResume(Path out, RunSpec spec) throws IOException {
        Path marker = out.resolve(Checkpoint.RUN_MARKER);
        if (!Files.isRegularFile(marker)) throw new IOException(out + ": not an Ablate run folder (no run.json); nothing to resume");
        JsonNode run;
        try {
            run = LINE.readTree(marker.toFile());
        } catch (IOException e) {
            throw new IOException(marker + ": unreadable (" + e.getMessage() + ")", e);
        }
        String hash = run.path("spec_sha256").asText("");
        if (!hash.equals(spec.hash())) {
            String diff = "";
            Path old = out.resolve("spec.yaml");
            if (Files.isRegularFile(old)) {
                JsonNode before = SpecLoader.YAML.readTree(old.toFile());
                diff = "; differing: " + String.join(", ", differences("", before, spec.resolved(), new ArrayList<>()));
            }
            throw new IOException(out + ": was run with another spec (sha256 " + abbrev(hash) + ", this one " + abbrev(spec.hash()) + diff
                    + "); resume with the same spec and overrides, or start a new run");
        }
        if ("finished".equals(run.path("status").asText())) throw new IOException(out + ": the run is finished; nothing to resume");
        Path dir = Checkpoint.latestInRun(out);
        if (dir == null) throw new IOException(out + ": no complete checkpoint yet; start the run again with --overwrite");
        log.println("resuming from " + dir);
        return dir;
    }

    /** The parent folder an earlier run of {@code out} recorded (its --from), or null. */
    private static Path recordedParent(Path out) {
        try {
            String from = LINE.readTree(out.resolve(Checkpoint.RUN_MARKER).toFile()).path("from").asText("");
            return from.isEmpty() ? null : Path.of(from);
        } catch (IOException e) {
            return null; // prepareResume reports an unreadable marker
        }
    }

    private static String abbrev(String h) { return h.length() > 12 ? h.substring(0, 12) : h; }

    private static List<String> differences(String path, JsonNode a, JsonNode b, List<String> out) {
        if (out.size() >= 5) return out;
        if (a != null && b != null && a.isObject() && b.isObject()) {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) differences(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
        } else if (a == null || b == null || !(a.equals(b) || (a.isNumber() && b.isNumber() && a.doubleValue() == b.doubleValue()))) {
            out.add(path + " (" + (a == null ? "absent" : a.toString()) + " -> " + (b == null ? "absent" : b.toString()) + ")");
        }
        return out;
    }

    private Path saveCheckpoint(Path out, int step, Model model, Tokenizer tokenizer, Map<String, Tensor> optimizerState,
                                List<Double> losses, List<TrainResult.Evaluation> evals) throws IOException {
        Path dir = out.resolve("checkpoints");
        String name = String.format(Locale.ROOT, "step-%07d", step);
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("step", step);
        trainer.put("train_losses", losses);
        List<Map<String, Object>> ev = new ArrayList<>();
        for (TrainResult.Evaluation e : evals) ev.add(Map.of("step", e.step(), "loss", e.loss()));
        trainer.put("evaluations", ev);
        Checkpoint.save(dir.resolve(name), model, tokenizer, Map.of("step", step), tmp -> {
            Safetensors.write(tmp.resolve("optimizer.safetensors"), new LinkedHashMap<>(optimizerState), Map.of("format", "ablate-optimizer"));
            Files.writeString(tmp.resolve("trainer.json"), JSON.writeValueAsString(trainer));
        });
        writeAtomically(dir.resolve("latest"), name);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if ((n.startsWith("step-") && !n.equals(name)) || n.startsWith(".step-")) deleteTree(p);
            }
        }
        return dir.resolve(name);
    }

    private static Trainer.Start loadState(Path dir, Model model) throws IOException {
        Map<String, Tensor> weights = model.parameters();
        try (SafetensorsFile f = Safetensors.open(dir.resolve("model.safetensors"))) {
            for (var e : weights.entrySet()) {
                if (!f.names().contains(e.getKey())) throw new IOException(dir + ": corrupt checkpoint, no weight \"" + e.getKey() + "\"");
                f.readInto(e.getKey(), e.getValue().data(), e.getValue().offset()); // as Checkpoint.load: no temporary copy
            }
        }
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.open(dir.resolve("optimizer.safetensors"))) {
            for (String n : f.names()) optimizer.put(n, f.tensor(n).contiguous());
        }
        JsonNode t;
        try {
            t = LINE.readTree(dir.resolve("trainer.json").toFile());
        } catch (IOException e) {
            throw new IOException(dir.resolve("trainer.json") + ": corrupt checkpoint (" + e.getMessage() + ")", e);
        }
        int step = t.path("step").asInt(-1);
        if (step < 1) throw new IOException(dir.resolve("trainer.json") + ": corrupt checkpoint, field step is missing or not a positive integer");
        List<Double> losses = new ArrayList<>();
        for (JsonNode l : t.path("train_losses")) losses.add(l.asDouble());
        List<TrainResult.Evaluation> evals = new ArrayList<>();
        for (JsonNode e : t.path("evaluations")) evals.add(new TrainResult.Evaluation(e.path("step").asInt(), e.path("loss").asDouble()));
        if (losses.size() != step) throw new IOException(dir.resolve("trainer.json") + ": corrupt checkpoint, " + losses.size() + " losses for step " + step);
        return new Trainer.Start(step, losses, evals, optimizer);
    }

    private static void writeStatus(Path out, RunSpec spec, String status, int step, Lineage lineage) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "ablate-run");
        m.put("spec_sha256", spec.hash());
        m.put("source", spec.source());
        m.put("objective", spec.objective().id());
        if (lineage.parent() != null) m.put("from", lineage.parent().toString());
        lineage.putInto(m);
        m.put("status", status);
        if (step >= 0) m.put("step", step);
        writeAtomically(out.resolve(Checkpoint.RUN_MARKER), JSON.writeValueAsString(m));
    }

    static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    /** Appends one JSON line per step and per evaluation. */
    static final class MetricsFile implements TrainingCallback {
        private final Path file;

        MetricsFile(Path file) { this.file = file; }

        @Override public void step(int step, int total, double loss, double lr, double tps, Map<String, Double> metrics) {
            Map<String, Object> m = new LinkedHashMap<>(metrics);
            m.put("step", step);
            m.put("loss", loss);
            m.put("lr", lr);
            append(m);
        }

        @Override public void evaluated(int step, double loss, Map<String, Double> metrics) {
            Map<String, Object> m = new LinkedHashMap<>(metrics);
            m.put("step", step);
            m.put("held_out_loss", loss);
            append(m);
        }

        private void append(Map<String, Object> m) {
            try {
                Files.writeString(file, LINE.writeValueAsString(new java.util.TreeMap<>(m)) + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file + ": cannot write metrics: " + e.getMessage(), e);
            }
        }

        /** Keeps the lines of steps up to {@code step} (what a resumed run has not redone). */
        static void truncate(Path file, int step) throws IOException {
            if (!Files.isRegularFile(file)) return;
            List<String> keep = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) continue;
                try {
                    if (LINE.readTree(line).path("step").asInt(Integer.MAX_VALUE) <= step) keep.add(line);
                } catch (IOException e) {
                    // a line cut by a kill is dropped
                }
            }
            writeAtomically(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
        }
    }
}
