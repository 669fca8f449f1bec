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
        return build(config, ParameterScope.root(seed), log);
    }

    /** The model with every parameter left at zero, for a caller that reads all of them from a checkpoint next. */
    public Model buildForLoading(ModelConfig config) {
        return build(config, ParameterScope.forLoading(), null);
    }

    private Model build(ModelConfig config, ParameterScope root, PrintStream log) {
        checkSize(config, 4, "to hold");
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

    /**
     * A lower bound on the bytes one training step keeps for the backward pass: per token and layer the block's
     * saved activations (about 10·d_model + 2·d_ff floats) and two attention maps of heads·context floats, plus
     * the logits and their softmax. Real use is higher (the graph keeps more, the heap needs room), so a run
     * refused by this bound could not have run.
     */
    public static long trainingActivationBytes(ModelConfig c, int batch, int context) {
        long tokens = (long) batch * context;
        long layers = c.encoderLayers() + c.decoderLayers();
        long perTokenLayer = 10L * c.dModel() + 2L * c.dFf() + 2L * c.heads() * context;
        return 4 * tokens * (layers * perTokenLayer + 2L * c.vocabSize());
    }

    /**
     * Refuses a training run whose weights, optimizer state and activations (lower bounds) exceed the memory this
     * JVM may use, before anything is allocated, naming the fields that drive the estimate.
     *
     * @param file the spec, for the message
     */
    public static void checkTrainingMemory(String file, ModelConfig config, int batch, int context) {
        long weights = config.estimatedParameters() * 16;
        long activations = trainingActivationBytes(config, batch, context);
        long max = Runtime.getRuntime().maxMemory();
        if (weights + activations > max) {
            throw new ConfigException(file, "run", String.format(Locale.ROOT,
                    "a training step needs at least %.1f GB (%.1f GB of weights, gradients and AdamW state; %.1f GB of activations for"
                            + " run.batch_size %d x run.context %d tokens through %d layers of d_model %d, d_ff %d, %d heads), more than the"
                            + " %.1f GB this JVM may use; lower run.batch_size or run.context, or give Java more memory (-Xmx)",
                    (weights + activations) / 1e9, weights / 1e9, activations / 1e9, batch, context,
                    config.encoderLayers() + config.decoderLayers(), config.dModel(), config.dFf(), config.heads(), max / 1e9));
        }
    }
}
