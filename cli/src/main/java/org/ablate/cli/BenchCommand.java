package org.ablate.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.generate.Generator;
import org.ablate.models.generate.SamplerChain;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigLoader;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;
import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.ParameterScope;
import org.ablate.models.assembly.ModelModule;
import org.ablate.run.ParameterGroups;
import org.ablate.run.RunModule;
import org.ablate.run.RunSpec;
import org.ablate.run.SpecLoader;
import org.ablate.run.Trainer;
import org.ablate.run.TrainingCallback;
import org.ablate.study.LocalExecutor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * End-to-end benchmarks, one JSON line each, the same workloads as the PyTorch scripts in
 * shared/bench (gpt_train.py, gpt_decode.py, bert_encode.py) so the two can be run side by side.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "End-to-end benchmarks printing one JSON line: train (W2), decode (W3), encode (W4).",
        subcommands = {BenchCommand.Train.class, BenchCommand.Decode.class, BenchCommand.Encode.class, BenchCommand.Load.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    /** GPT-2 small's shape (124M parameters), for W3 and the checkpoint-loading benchmark. */
    static final String GPT2_SMALL = """
            architecture: decoder-only
            layers: 12
            d_model: 768
            heads: 12
            d_ff: 3072
            vocab_size: 50257
            max_positions: 1024
            tied_embeddings: true
            norm: {id: layer-norm, placement: pre}
            attention: {id: multi-head}
            positional: {id: learned}
            feed_forward: {id: mlp, activation: gelu-tanh}
            """;

    static Model build(String yaml) {
        return new ModelBuilder(REGISTRY).build(new ConfigLoader(REGISTRY).parse("benchmark", yaml, true), 0, null);
    }

    /** Median, min and max, rounded. */
    static Map<String, Object> stats(List<Double> xs, int digits) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", round(median(xs), digits));
        m.put("min", round(s[0], digits));
        m.put("max", round(s[s.length - 1], digits));
        return m;
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }

    /**
     * The host beside every figure; {@code roundTripBefore} is {@link CoreRoundTrip#nanos()} taken before the warm-up,
     * printed with the one taken now: where the host had put the two vCPUs when the run began and when it ended.
     */
    static Map<String, Object> environment(double roundTripBefore) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("vector_bits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        env.put("threads", Runtime.getRuntime().availableProcessors());
        env.put("java", Runtime.version().toString());
        env.put("cpu", cpuModel());
        env.put("huge_pages", LocalExecutor.hugePages());
        Map<String, Object> roundTrip = new LinkedHashMap<>();
        roundTrip.put("before", roundTripBefore);
        roundTrip.put("after", CoreRoundTrip.nanos());
        env.put("core_round_trip_ns", roundTrip);
        return env;
    }

    /** The processor's model name (Linux: /proc/cpuinfo), so a figure says which host gave it; "unknown" elsewhere. */
    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    /**
     * Peak memory beside the speed, as ../shared/bench's scripts report it: {@code peak_rss_mb} is the
     * process's high-water resident set (VmHWM, the same quantity as PyTorch's {@code ru_maxrss}); the heap
     * figures say how much of it the Java heap explains (the peak is the sum of each heap pool's own peak,
     * an upper bound on the heap's simultaneous peak).
     */
    static void putMemory(Map<String, Object> out) {
        Map<String, Double> status = statusMb();
        out.put("peak_rss_mb", status.getOrDefault("VmHWM", -1.0));
        // resident now: anonymous (the heap and all else the process wrote) and file pages (mapped files such as
        // weights used in place: clean, shared with other processes mapping the same file, reclaimable)
        Map<String, Object> now = new LinkedHashMap<>();
        if (status.containsKey("RssAnon")) now.put("anon_mb", status.get("RssAnon"));
        if (status.containsKey("RssFile")) now.put("file_mb", status.get("RssFile"));
        if (!now.isEmpty()) out.put("rss_now", now);
        double peak = 0, committed = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != java.lang.management.MemoryType.HEAP) continue;
            peak += pool.getPeakUsage().getUsed();
            committed += pool.getUsage().getCommitted();
        }
        Map<String, Object> heap = new LinkedHashMap<>();
        heap.put("peak_used_mb", round(peak / (1 << 20), 1));
        heap.put("committed_mb", round(committed / (1 << 20), 1));
        heap.put("max_mb", round(Runtime.getRuntime().maxMemory() / (double) (1 << 20), 1));
        heap.put("gc", String.join("+", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).toList()));
        // the whole process's collections (warm-up and set-up included): pauses land in the timed figures too
        long collections = 0, collectionMillis = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, gc.getCollectionCount());
            collectionMillis += Math.max(0, gc.getCollectionTime());
        }
        heap.put("collections", collections);
        heap.put("collection_ms", collectionMillis);
        out.put("heap", heap);
    }

    /** Bytes allocated so far by all live threads (the trainer's and its workers'), or -1 where the JVM cannot say. */
    static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** How many of the model's parameters still read their elements from the checkpoint file. */
    static long mappedParameters(Model model) {
        return model.parameters().values().stream().filter(t -> t.mappedRegion() != null).count();
    }

    /**
     * The fields of /proc/self/status given in kB (VmHWM, the high-water resident set; RssAnon, RssFile, ...), in MiB;
     * empty where the file does not exist (not Linux): no figure rather than a wrong one.
     */
    static Map<String, Double> statusMb() {
        Map<String, Double> mb = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.endsWith(" kB")) {
                    mb.put(line.substring(0, colon), round(Long.parseLong(line.substring(colon + 1, line.length() - 3).trim()) / 1024.0, 1));
                }
            }
        } catch (IOException | NumberFormatException e) {
            mb.clear();
        }
        return mb;
    }

    static String json(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (var e : m.entrySet()) {
                if (b.length() > 1) b.append(", ");
                b.append('"').append(e.getKey()).append("\": ").append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (o instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object x : l) parts.add(json(x));
            return "[" + String.join(", ", parts) + "]";
        }
        if (o instanceof String s) return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        return String.valueOf(o);
    }

    /** The greedy token after the last position of {@code logits [1, L, V]}. */
    static int argmaxLast(Tensor logits) {
        int l = logits.size(1);
        return logits.slice(1, l - 1, l).reshape(logits.size(-1)).argmax(0).data()[0];
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "W2: GPT training steps (vocab 256, 4 layers, 4 heads, d 256, ff 1024, ctx 256, batch 16, AdamW), tokens/s.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--steps", description = "Steps per repetition (default: ${DEFAULT-VALUE}).") int steps = 20;
        @Option(names = "--warmup", description = "Warm-up steps (default: ${DEFAULT-VALUE}).") int warmup = 3;
        @Option(names = "--reps", description = "Repetitions (default: ${DEFAULT-VALUE}).") int reps = 3;
        @Option(names = "--size", description = "w2, or demo: the demo model's shapes (d 128, ff 512, ctx 128; its"
                + " small, overhead-bound products), with byte tokens as W2; bench/gpt_train_sized.py is its PyTorch side"
                + " (default: ${DEFAULT-VALUE}).") Size size = Size.w2;

        enum Size { w2, demo }

        /** W2 as a run spec, trained by the same Trainer that {@code ablate train} uses (as ../shared/bench/gpt_train.py: AdamW, no clipping). */
        static final String SPEC = """
                model: {architecture: decoder-only, layers: 4, d_model: 256, heads: 4, d_ff: 1024, vocab_size: 256, max_positions: 256,
                        block: {id: pre-norm}, norm: {id: layer-norm}, attention: {id: multi-head}, positional: {id: learned},
                        feed_forward: {id: mlp, activation: gelu-tanh}, output_heads: {lm_head: {id: lm, tied: true}}}
                objective: {id: next-token}
                optim: {id: adamw, lr: 3.0e-4, betas: [0.9, 0.999], weight_decay: 0.1, clip: 0, no_decay: []}
                schedule: {id: constant, warmup: 0, min_lr: 0}
                run: {batch_size: 16, context: 256, seed: 0, eval_every: 0, eval_batches: 1, checkpoint_every: 0}
                """;

        @Override public Integer call() throws java.io.IOException {
            double roundTrip = CoreRoundTrip.nanos();
            int total = warmup + reps * steps;
            List<String> sets = new ArrayList<>(List.of("run.steps=" + total));
            String workload = "W2-gpt-train";
            if (size == Size.demo) {
                sets.addAll(List.of("model.d_model=128", "model.d_ff=512", "model.max_positions=128", "run.context=128"));
                workload = "W2-demo-train";
            }
            RunSpec spec = new SpecLoader(REGISTRY).parse("W2 benchmark", SPEC, true, null, sets);
            int vocab = spec.model().vocabSize(), ctx = spec.run().context(), batch = spec.run().batchSize();
            // Random byte tokens, one fixed batch, as the PyTorch side draws them.
            SplittableRandom r = new SplittableRandom(0);
            int[] x = new int[batch * ctx], y = new int[batch * ctx];
            for (int i = 0; i < x.length; i++) { x[i] = r.nextInt(vocab); y[i] = r.nextInt(vocab); }
            Batch fixed = new Batch(Map.of("input_ids", IntTensor.of(x, batch, ctx), "labels", IntTensor.of(y, batch, ctx)), (long) batch * ctx);
            DataSource data = new DataSource() {
                @Override public Batch trainBatch(int b, int c, java.util.random.RandomGenerator random) { return fixed; }
                @Override public Batch heldOutBatch(int index, int b, int c) { return index == 0 ? fixed : null; }
                @Override public String describe() { return "one fixed batch of random byte tokens"; }
            };
            long[] at = new long[total + 1], allocated = new long[2];
            double[] loss = new double[1];
            TrainingCallback clock = new TrainingCallback() {
                @Override public void evaluated(int step, double heldOut, Map<String, Double> metrics) { if (step == 0) at[0] = System.nanoTime(); }
                @Override public void step(int step, int totalSteps, double l, double lr, double tps) {
                    at[step] = System.nanoTime();
                    loss[0] = l;
                    if (step == warmup) allocated[0] = allocatedBytes();
                    if (step == total) allocated[1] = allocatedBytes();
                }
            };
            Injector injector = Guice.createInjector(
                    Modules.override(new RunModule(spec, REGISTRY, null)).with(new AbstractModule() {
                        @Override protected void configure() { bind(DataSource.class).toInstance(data); }
                    }),
                    new ModelModule(spec.model(), REGISTRY, ParameterScope.root(spec.run().seed())),
                    new AbstractModule() {
                        @Override protected void configure() { Multibinder.newSetBinder(binder(), TrainingCallback.class).addBinding().toInstance(clock); }
                    });
            Model model = injector.getInstance(Model.class);
            ParameterGroups.Split split = ParameterGroups.split(model.parameters(), spec.optim(), spec.source());
            injector.getInstance(Trainer.class).train(split, Trainer.Start.fresh(), (step, optimizer, losses, evals) -> {
                throw new IllegalStateException("the benchmark writes no checkpoint");
            }, () -> false);
            List<Double> tps = new ArrayList<>(), ms = new ArrayList<>();
            for (int rep = 0; rep < reps; rep++) {
                int from = warmup + rep * steps;
                double dt = (at[from + steps] - at[from]) / 1e9;
                tps.add((double) batch * ctx * steps / dt);
                ms.add(1000 * dt / steps);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("workload", workload);
            out.put("engine", "ablate");
            out.put("reps", reps);
            out.put("steps_per_rep", steps);
            out.put("params", model.parameterCount());
            out.put("tokens_per_step", batch * ctx);
            out.put("tokens_per_s", stats(tps, 1));
            out.put("step_ms", stats(ms, 1));
            out.put("final_loss", round(loss[0], 4));
            // Bytes allocated per timed step: what the collector has to clear, independent of the host's load.
            out.put("allocated_mb_per_step", allocated[0] < 0 || allocated[1] < 0 ? -1
                    : round((allocated[1] - allocated[0]) / (double) (reps * steps) / (1 << 20), 1));
            putMemory(out);
            out.put("env", environment(roundTrip));
            System.out.println(json(out));
            return 0;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "W3: GPT-2-small shape (124M fp32, random weights), batch 1, 16-token prompt, greedy with KV cache.")
    static final class Decode implements Callable<Integer> {
        @Option(names = "--new", description = "New tokens (default: ${DEFAULT-VALUE}).") int newTokens = 128;
        @Option(names = "--prompt", description = "Prompt tokens (default: ${DEFAULT-VALUE}).") int promptLength = 16;
        @Option(names = "--reps", description = "Repetitions (default: ${DEFAULT-VALUE}).") int reps = 3;
        @Option(names = "--warmup", description = "Untimed generations before the timed ones, so the JIT has compiled "
                + "the prompt and decoding kernels (default: ${DEFAULT-VALUE}).") int warmup = 3;
        @Option(names = "--triad-gbs", description = "This host's memory bandwidth in GB/s, measured now (../shared/bench/stream.c's"
                + " triad; bench/compare-models.sh passes it): prints the bound it allows and decoding's fraction of it."
                + " Left out without it: the bandwidth moves with the host and its load.")
        Double triadGbs;
        @Option(names = "--checkpoint", paramLabel = "DIR", description = "Decode with a GPT-2-small-shaped checkpoint loaded as"
                + " 'ablate generate' loads it (weights used in place from the file; write one with 'bench load --write DIR')"
                + " instead of weights initialised in memory.")
        Path checkpoint;

        @Override public Integer call() throws java.io.IOException {
            if (triadGbs != null && !(triadGbs > 0 && Double.isFinite(triadGbs))) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--triad-gbs must be a bandwidth above 0 GB/s, got " + triadGbs);
            }
            double roundTrip = CoreRoundTrip.nanos();
            Model model = checkpoint == null ? build(GPT2_SMALL) : Checkpoint.load(checkpoint, REGISTRY).model();
            long params = model.parameterCount();
            long positionTable = 0;
            for (var e : model.parameters().entrySet()) if (e.getKey().contains("positional")) positionTable += e.getValue().numel();
            long weightBytes = 4 * (params - positionTable);
            SplittableRandom r = new SplittableRandom(0);
            int[] prompt = new int[promptLength];
            for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(50257);
            for (int i = 0; i < warmup; i++) run(model, prompt);
            // what one decoded token reads: every matrix but the position table (the head is the token embedding)
            List<Tensor> weights = new ArrayList<>();
            for (var e : model.parameters().entrySet()) {
                if (e.getValue().dim() == 2 && !e.getKey().contains("positional")) weights.add(e.getValue());
            }
            productsAlone(weights, warmup * newTokens);
            List<Double> prefill = new ArrayList<>(), tps = new ArrayList<>(), productTps = new ArrayList<>();
            int[] tokens = null;
            for (int rep = 0; rep < reps; rep++) {
                double[] res = new double[2];
                tokens = run(model, prompt, res);
                prefill.add(res[0]);
                tps.add(res[1]);
                productTps.add(productsAlone(weights, newTokens));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("workload", "W3-gpt2-decode");
            out.put("engine", "ablate");
            out.put("weights", checkpoint == null ? "in memory" : "checkpoint, " + mappedParameters(model) + " of "
                    + model.parameters().size() + " tensors used in place");
            out.put("reps", reps);
            out.put("warmup", warmup);
            out.put("params", params);
            out.put("weight_bytes_per_token", weightBytes);
            out.put("prompt", promptLength);
            out.put("new_tokens", newTokens);
            out.put("prefill_ms", stats(prefill, 1));
            out.put("decode_tokens_per_s", stats(tps, 2));
            out.put("weight_products_tokens_per_s", stats(productTps, 2));
            out.put("fraction_of_weight_products", round(median(tps) / median(productTps), 3));
            if (triadGbs != null) {
                double boundTps = triadGbs * 1e9 / weightBytes;
                out.put("bandwidth_bound_tokens_per_s", round(boundTps, 1));
                out.put("fraction_of_bound", round(median(tps) / boundTps, 3));
            }
            out.put("first_tokens", Arrays.stream(tokens).limit(8).boxed().toList());
            putMemory(out);
            out.put("env", environment(roundTrip));
            System.out.println(json(out));
            return 0;
        }

        private int[] run(Model model, int[] prompt) { return run(model, prompt, new double[2]); }

        /**
         * Tokens/s of decoding's weight products alone: each weight matrix times one row, as the layers and the head
         * run them (through the same kernels), {@code tokens} times. Timed right after each generation, it is the speed
         * the host's memory allows at that moment, so decode_tokens_per_s over it says what the rest of a decoding
         * step (attention, norms, sampling, the pool's hand-offs) costs, whatever the host's load.
         */
        private static double productsAlone(List<Tensor> weights, int tokens) {
            List<Tensor> rows = weights.stream().map(w -> Tensor.ones(1, w.size(1))).toList();
            Workspace arrays = new Workspace();
            long t0 = System.nanoTime();
            try (NoGrad g = Tensor.noGrad()) {
                for (int t = 0; t < tokens; t++) {
                    try (Workspace.Step step = arrays.open()) {
                        for (int i = 0; i < weights.size(); i++) rows.get(i).linear(weights.get(i), null);
                    }
                }
            }
            return tokens / ((System.nanoTime() - t0) / 1e9);
        }

        /**
         * Greedy decoding through the Generator that {@code ablate generate} uses; fills timing[0] with the prefill time
         * in ms (prompt in, first token out) and timing[1] with decode tokens/s.
         */
        private int[] run(Model model, int[] prompt, double[] timing) {
            SamplerChain greedy = SamplerChain.of(REGISTRY, SamplerChain.parse("greedy"));
            long[] at = new long[newTokens + 1];
            int[] seen = {0};
            at[0] = System.nanoTime();
            int[] all = Generator.generate(model, prompt.clone(), greedy, newTokens, -1, 0, t -> at[++seen[0]] = System.nanoTime());
            timing[0] = (at[1] - at[0]) / 1e6;
            timing[1] = (newTokens - 1) / ((at[newTokens] - at[1]) / 1e9);
            return Arrays.copyOfRange(all, prompt.length, all.length);
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true,
            description = "W4: BERT-base shape (post-LN, 12 layers, d 768), batch 8 x 128, forward only (each pass in a workspace step, as 'ablate eval' runs its batches), sequences/s.")
    static final class Encode implements Callable<Integer> {
        @Option(names = "--batch", description = "Sequences per batch (default: ${DEFAULT-VALUE}).") int batch = 8;
        @Option(names = "--seq", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).") int seq = 128;
        @Option(names = "--reps", description = "Repetitions (default: ${DEFAULT-VALUE}).") int reps = 5;
        @Option(names = "--warmup", description = "Untimed passes before the timed ones (default: ${DEFAULT-VALUE}). On two"
                + " cores the JIT compiles the kernels in the passes' time, and recompiles the matrix kernel when a pass first"
                + " takes a branch the earlier ones did not; their times are printed as warmup_s.") int warmup = 3;

        @Override public Integer call() {
            if (warmup < 0) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--warmup must be 0 or more passes, got " + warmup);
            }
            double roundTrip = CoreRoundTrip.nanos();
            Model model = build("""
                    architecture: encoder-only
                    layers: 12
                    d_model: 768
                    heads: 12
                    d_ff: 3072
                    vocab_size: 30522
                    max_positions: 512
                    type_vocab_size: 2
                    norm: {id: layer-norm, placement: post, embedding: true, eps: 1.0e-12}
                    attention: {id: multi-head}
                    positional: {id: learned}
                    feed_forward: {id: mlp, activation: gelu}
                    """);
            SplittableRandom r = new SplittableRandom(0);
            int[] ids = new int[batch * seq];
            for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(30522);
            IntTensor x = IntTensor.of(ids, batch, seq);
            List<Double> sps = new ArrayList<>(), warmupSeconds = new ArrayList<>();
            // each pass in a workspace step, as 'ablate eval' runs its batches: a pass reuses the last one's arrays
            Workspace arrays = new Workspace();
            try (NoGrad g = Tensor.noGrad()) {
                for (int i = 0; i < warmup; i++) {
                    long t0 = System.nanoTime();
                    try (Workspace.Step warmUp = arrays.open()) {
                        model.encode(x, null, null);
                    }
                    warmupSeconds.add(round((System.nanoTime() - t0) / 1e9, 3));
                }
                for (int rep = 0; rep < reps; rep++) {
                    long t0 = System.nanoTime();
                    try (Workspace.Step step = arrays.open()) {
                        model.encode(x, null, null);
                    }
                    sps.add(batch / ((System.nanoTime() - t0) / 1e9));
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("workload", "W4-bert-encode");
            out.put("engine", "ablate");
            out.put("reps", reps);
            out.put("params", model.parameterCount());
            out.put("batch", batch);
            out.put("seq", seq);
            out.put("warmup_s", warmupSeconds);
            out.put("sequences_per_s", stats(sps, 3));
            putMemory(out);
            out.put("env", environment(roundTrip));
            System.out.println(json(out));
            return 0;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Loading a GPT-2-small-shaped checkpoint (124M fp32 weights, 498 MB): with --write, saves one with random"
                    + " weights into DIR; without, loads DIR as 'ablate generate' does and prints the time and peak memory (run it"
                    + " in its own JVM, so the memory is the load's).")
    static final class Load implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint folder.") Path dir;
        @Option(names = "--write", description = "Write the checkpoint (DIR must not exist yet).") boolean write;

        @Override public Integer call() throws java.io.IOException {
            if (write && Files.exists(dir)) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), dir + ": already exists; give a new folder");
            }
            double roundTrip = CoreRoundTrip.nanos();
            Map<String, Object> out = new LinkedHashMap<>();
            if (write) {
                Model model = build(GPT2_SMALL);
                Checkpoint.save(dir, model, null, Map.of());
                out.put("workload", "W5-checkpoint-write");
                out.put("params", model.parameterCount());
            } else {
                long t0 = System.nanoTime();
                Checkpoint.Loaded loaded = Checkpoint.load(dir, REGISTRY);
                double ms = (System.nanoTime() - t0) / 1e6;
                out.put("workload", "W5-checkpoint-load");
                out.put("params", loaded.model().parameterCount());
                out.put("load_ms", round(ms, 1));
                out.put("tensors_in_place", mappedParameters(loaded.model()));
                out.put("tensors", loaded.model().parameters().size());
            }
            out.put("file_mb", round(Files.size(Checkpoint.modelFolder(dir).resolve("model.safetensors")) / 1e6, 1));
            putMemory(out);
            out.put("env", environment(roundTrip));
            System.out.println(json(out));
            return 0;
        }
    }
}
