package org.ablate.models.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigException;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.io.DType;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;

/**
 * A trained model on disk, as a folder: {@code config.json} (the Ablate model config),
 * {@code model.safetensors} (F32 weights by dotted name), {@code tokenizer/} (the tokenizer's own
 * files; absent, with no {@code tokenizer} field in the config, for a model imported without one) and
 * {@code metrics.json} (training figures, or what an import recorded: its source and special token ids). A save is atomic: the folder is written beside the target and
 * renamed into place, so a crash never leaves a half-written checkpoint.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A loaded checkpoint; {@code tokenizer} is {@code null} when the checkpoint has none. */
    public record Loaded(Model model, Tokenizer tokenizer, Map<String, Object> metrics) {}

    private Checkpoint() {}

    /**
     * Writes {@code model} (and {@code tokenizer}, unless {@code null}) to {@code dir}, replacing what was there.
     *
     * @throws IllegalArgumentException when the config names a tokenizer but none is given, or the reverse
     */
    public static void save(Path dir, Model model, Tokenizer tokenizer, Map<String, Object> metrics) throws IOException {
        save(dir, model, tokenizer, metrics, tmp -> {});
    }

    /** Writes more files into the checkpoint before it is moved into place (a run's optimizer and trainer state). */
    public interface Extra { void write(Path folder) throws IOException; }

    /** As {@link #save(Path, Model, Tokenizer, Map)}, with {@code extra} files written into the same atomic folder. */
    public static void save(Path dir, Model model, Tokenizer tokenizer, Map<String, Object> metrics, Extra extra) throws IOException {
        if ((tokenizer == null) != (model.config().tokenizer() == null)) {
            throw new IllegalArgumentException("checkpoint " + dir + ": the config " + (tokenizer == null ? "names tokenizer \""
                    + model.config().tokenizer().id() + "\" but no tokenizer was given" : "names no tokenizer but one was given"));
        }
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
        try {
            Files.writeString(tmp.resolve("config.json"), JSON.writeValueAsString(model.config().toMap()));
            Safetensors.write(tmp.resolve("model.safetensors"), new LinkedHashMap<>(model.parameters()),
                    new java.util.TreeMap<>(Map.of("format", "ablate", "architecture", model.config().architecture().id()))); // sorted: equal weights, equal bytes
            if (tokenizer != null) tokenizer.save(Files.createDirectories(tmp.resolve("tokenizer")));
            Files.writeString(tmp.resolve("metrics.json"), JSON.writeValueAsString(metrics));
            extra.write(tmp);
            fsyncAll(tmp);
            replace(tmp, target);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    /**
     * Loads a folder written by {@link #save}.
     *
     * @throws IOException naming the file at fault when a part is missing or does not match the config
     */
    public static Loaded load(Path dir, ComponentRegistry registry) throws IOException {
        dir = modelFolder(dir);
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IOException(dir + ": not a checkpoint folder (no config.json); train one with 'ablate train'");
        }
        ModelConfig config = new ConfigLoader(registry).load(configFile);
        Model model;
        try {
            model = new ModelBuilder(registry).buildForLoading(config);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(configFile + ": the model it describes cannot be built: " + e.getMessage(), e);
        }
        Path weights = dir.resolve("model.safetensors");
        try (SafetensorsFile file = Safetensors.openInPlace(weights)) {
            for (Map.Entry<String, Tensor> p : model.parameters().entrySet()) {
                if (!file.names().contains(p.getKey())) {
                    throw new IOException(weights + ": missing weight \"" + p.getKey() + "\" that config.json's model needs");
                }
                int[] stored = file.info(p.getKey()).intShape();
                if (!java.util.Arrays.equals(stored, p.getValue().shape())) {
                    throw new IOException(weights + ": weight \"" + p.getKey() + "\" has shape " + java.util.Arrays.toString(stored)
                            + ", config.json's model expects " + java.util.Arrays.toString(p.getValue().shape()));
                }
                // used in place: the kernels read the mapped file; training copies a weight when it first updates it
                if (file.info(p.getKey()).dtype() == DType.F32) {
                    p.getValue().useMapped(file.mapped(p.getKey()));
                } else {
                    file.readInto(p.getKey(), p.getValue().data(), p.getValue().offset());
                }
            }
        }
        Tokenizer tokenizer = null;
        if (config.tokenizer() != null) {
            Path tokDir = dir.resolve("tokenizer");
            if (!Files.isDirectory(tokDir)) {
                throw new IOException(tokDir + ": missing; config.json's field tokenizer names \"" + config.tokenizer().id() + "\", whose files belong here");
            }
            tokenizer = registry.tokenizer(config.tokenizer().id())
                    .load(tokDir, registry.params(ComponentKind.TOKENIZER, config.tokenizer().id(), config.tokenizer().params().values()));
        }
        Map<String, Object> metrics = Map.of();
        Path metricsFile = dir.resolve("metrics.json");
        if (Files.isRegularFile(metricsFile)) {
            try {
                @SuppressWarnings("unchecked") Map<String, Object> m = JSON.readValue(metricsFile.toFile(), Map.class);
                metrics = m == null ? Map.of() : m;
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                var at = e.getLocation();
                throw new IOException(metricsFile + ": not a JSON object of figures" + (at == null ? "" : " (line " + at.getLineNr()
                        + ", column " + at.getColumnNr() + ")") + ": " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
            }
        }
        return new Loaded(model, tokenizer, metrics);
    }

    /** Marks a run folder (written by {@code ablate train}); a checkpoint's model lives in it. */
    public static final String RUN_MARKER = "run.json";

    /**
     * The folder holding a model: {@code dir} itself for a checkpoint; for a run folder its final {@code model/},
     * or, while the run is unfinished, its latest periodic checkpoint.
     */
    public static Path modelFolder(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("config.json")) || !Files.isRegularFile(dir.resolve(RUN_MARKER))) return dir;
        if (Files.isRegularFile(dir.resolve("model").resolve("config.json"))) return dir.resolve("model");
        Path latest = latestInRun(dir);
        if (latest != null) return latest;
        throw new IOException(dir + ": a run folder without a model yet (no model/ and no periodic checkpoint)");
    }

    /**
     * A run folder's newest periodic checkpoint: the one {@code checkpoints/latest} names, else the highest
     * {@code checkpoints/step-N}; or {@code null}. Each is moved into place whole, so one that exists is complete.
     */
    public static Path latestInRun(Path runDir) throws IOException {
        Path dir = runDir.resolve("checkpoints");
        if (!Files.isDirectory(dir)) return null;
        Path latest = dir.resolve("latest");
        if (Files.isRegularFile(latest)) {
            Path p = dir.resolve(Files.readString(latest).trim());
            if (Files.isRegularFile(p.resolve("config.json"))) return p;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-") && Files.isRegularFile(p.resolve("config.json")))
                    .max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
        }
    }

    /** Copies {@code source}'s values into the parameter {@code target} in place. */
    public static void copyInto(Tensor target, Tensor source) {
        float[] values = source.toArray();
        if (!target.isContiguous()) throw new IllegalStateException("copyInto: parameter is not contiguous");
        System.arraycopy(values, 0, target.data(), target.offset(), values.length);
    }

    private static void replace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        } catch (IOException e) {
            if (old != null) Files.move(old, target, StandardCopyOption.ATOMIC_MOVE); // put the previous one back
            throw e;
        }
        if (old != null) deleteTree(old);
    }

    private static void fsyncAll(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) { ch.force(true); }
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException e) { throw new UncheckedIOException(e); }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover hidden temp folder is harmless
        }
    }
}
