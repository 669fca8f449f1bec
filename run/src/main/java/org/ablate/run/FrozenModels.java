package org.ablate.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Network;
import org.ablate.api.ObjectiveContext;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigException;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.Dropout;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;

/**
 * The run's {@link ObjectiveContext}: loads the frozen models an objective names (once per folder) from
 * checkpoints, checks that their tokenizer is the run's, and hands them out behind a {@link Network} that
 * records no graph and applies no dropout.
 */
final class FrozenModels implements ObjectiveContext {
    private final RunSpec spec;
    private final ComponentRegistry registry;
    private final Tokenizer tokenizer;
    private final Path from;
    private final Map<Path, Network> loaded = new HashMap<>();

    /** @param from the folder the run's weights started from (--from, or the run's recorded parent), or null */
    FrozenModels(RunSpec spec, ComponentRegistry registry, Tokenizer tokenizer, Path from) {
        this.spec = spec;
        this.registry = registry;
        this.tokenizer = tokenizer;
        this.from = from;
    }

    @Override public Tokenizer tokenizer() { return tokenizer; }

    @Override public Network frozen(String field, String path) {
        Path dir;
        if (path == null || path.isEmpty()) {
            if (from == null) {
                throw new ConfigException(spec.source(), field, "is empty, which means the model the run starts from, but the run has no --from;"
                        + " give the checkpoint folder here or start with --from");
            }
            dir = from;
        } else {
            Path p = Path.of(path);
            dir = p.isAbsolute() || spec.base() == null || !Files.exists(spec.base().resolve(p)) ? p : spec.base().resolve(p);
        }
        dir = dir.toAbsolutePath().normalize();
        Network net = loaded.get(dir);
        if (net == null) {
            net = load(field, dir);
            loaded.put(dir, net);
        }
        return net;
    }

    private Network load(String field, Path dir) {
        Checkpoint.Loaded c;
        try {
            c = Checkpoint.load(dir, registry);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(spec.source(), field, "cannot load the model at " + dir + ": " + e.getMessage(), e);
        }
        String diff = c.tokenizer() == null ? "it has no tokenizer" : tokenizerDifference(c.tokenizer(), tokenizer);
        if (diff != null) {
            throw new ConfigException(spec.source(), field, dir + ": its tokenizer differs from the trained model's (" + diff
                    + "); a frozen model must read the same token ids");
        }
        for (Tensor p : c.model().parameters().values()) p.requiresGrad(false);
        return new Frozen(c.model());
    }

    /** Where two tokenizers differ (size, special tokens or a token's string), or null when they map every id alike. */
    static String tokenizerDifference(Tokenizer a, Tokenizer b) {
        if (a.vocabSize() != b.vocabSize()) return "vocabulary of " + a.vocabSize() + " ids, the trained model's has " + b.vocabSize();
        if (!a.specialTokens().equals(b.specialTokens())) return "special tokens " + a.specialTokens() + ", the trained model's are " + b.specialTokens();
        for (int i = 0; i < a.vocabSize(); i++) {
            if (!a.token(i).equals(b.token(i))) return "id " + i + " is \"" + a.token(i) + "\", the trained model's is \"" + b.token(i) + "\"";
        }
        return null;
    }

    /** A model seen through {@link Network}, every call without graph and without dropout. */
    private record Frozen(Model model) implements Network {
        @Override public boolean hasEncoder() { return model.hasEncoder(); }
        @Override public boolean hasDecoder() { return model.hasDecoder(); }
        @Override public int vocabSize() { return model.vocabSize(); }
        @Override public Set<String> heads() { return model.heads(); }

        @Override public Tensor encode(IntTensor ids, IntTensor typeIds, IntTensor padding) {
            try (NoGrad g = Tensor.noGrad(); Dropout d = Dropout.evaluation()) {
                return model.encode(ids, typeIds, padding);
            }
        }

        @Override public Tensor decode(IntTensor ids, IntTensor padding, Tensor memory, IntTensor memoryPadding) {
            try (NoGrad g = Tensor.noGrad(); Dropout d = Dropout.evaluation()) {
                return model.decode(ids, padding, memory, memoryPadding);
            }
        }

        @Override public Head head(String name) {
            Head h = model.head(name);
            return new Head() {
                @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                    try (NoGrad g = Tensor.noGrad(); Dropout d = Dropout.evaluation()) {
                        return h.forward(hidden, padding);
                    }
                }
                @Override public HeadOutput output() { return h.output(); }
            };
        }
    }
}
