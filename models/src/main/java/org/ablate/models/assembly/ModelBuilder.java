package org.ablate.models.assembly;

import java.io.PrintStream;
import java.util.Locale;

import com.google.inject.Guice;

import org.ablate.api.ParameterScope;
import org.ablate.models.config.ConfigException;
import org.ablate.models.config.ModelConfig;
import org.ablate.platform.ComponentRegistry;

/** Builds a {@link Model} from a validated config with an injector of its own (a run installs {@link ModelModule} in its injector instead). */
public final class ModelBuilder {
    private final ComponentRegistry registry;

    public ModelBuilder(ComponentRegistry registry) { this.registry = registry; }

    /**
     * @param seed the weights' initialisation seed: the same seed and config give the same weights
     * @param log  where to print the parameter count, or {@code null} for silence
     */
    public Model build(ModelConfig config, long seed, PrintStream log) {
        checkSize(config, 4, "to hold");
        ParameterScope root = ParameterScope.root(seed);
        Model model;
        try {
            model = Guice.createInjector(new ModelModule(config, registry, root)).getInstance(Model.class);
        } catch (com.google.inject.ProvisionException | com.google.inject.CreationException e) {
            throw unwrap(e);
        }
        if (log != null) describe(model, log);
        return model;
    }

    /**
     * The part's own error inside Guice's wrapper (a provider refusing its parameters says what is wrong; the
     * wrapper would add a page of injection trace).
     */
    public static RuntimeException unwrap(RuntimeException e) {
        Throwable c = e.getCause();
        while (c instanceof com.google.inject.ProvisionException || c instanceof com.google.inject.CreationException) c = c.getCause();
        if (c instanceof RuntimeException r) return r;
        if (c instanceof Error err) throw err;
        return e;
    }

    /** Prints the architecture, source and parameter count by part. */
    public static void describe(Model model, PrintStream log) {
        ModelConfig config = model.config();
        log.printf(Locale.ROOT, "built %s model from %s: %,d parameters %s%n", config.architecture().id(), config.source(),
                model.parameterCount(), model.parameterCountByPart());
    }

    /**
     * Refuses a config whose weights would not fit in the memory this JVM may use, before anything is allocated.
     *
     * @param bytesPerParameter 4 for the weights alone, 16 to train (weights, gradients, AdamW's two moments)
     */
    public static void checkSize(ModelConfig config, int bytesPerParameter, String purpose) {
        long params = config.estimatedParameters();
        long need = params * bytesPerParameter;
        long max = Runtime.getRuntime().maxMemory();
        if (params > Integer.MAX_VALUE || need > max) {
            throw new ConfigException(config.source(), "", String.format(Locale.ROOT,
                    "the model would have about %,d parameters (%.1f GB " + purpose + " at " + bytesPerParameter + " bytes each), more than the %.1f GB this JVM may use;"
                            + " reduce layers (%d), d_model (%d), d_ff (%d), vocab_size (%d) or max_positions (%d)",
                    params, need / 1e9, max / 1e9, config.encoderLayers() + config.decoderLayers(), config.dModel(), config.dFf(),
                    config.vocabSize(), config.maxPositions()));
        }
    }
}
