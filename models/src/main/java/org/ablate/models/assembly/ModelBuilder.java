package org.ablate.models.assembly;

import java.io.PrintStream;
import java.util.Locale;

import com.google.inject.Guice;
import com.google.inject.Injector;

import org.ablate.api.ParameterScope;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.config.ModelConfig;

/** Builds a {@link Model} from a validated config: one Guice injector per model wires the chosen providers. */
public final class ModelBuilder {
    private final ComponentRegistry registry;

    public ModelBuilder(ComponentRegistry registry) { this.registry = registry; }

    /**
     * @param seed the weights' initialisation seed: the same seed and config give the same weights
     * @param log  where to print the parameter count, or {@code null} for silence
     */
    public Model build(ModelConfig config, long seed, PrintStream log) {
        ParameterScope root = ParameterScope.root(seed);
        Injector injector = Guice.createInjector(new ModelModule(config, registry, root));
        Model model = new Model(config, injector.getInstance(Parts.class), root);
        if (log != null) {
            log.printf(Locale.ROOT, "built %s model from %s: %,d parameters %s%n", config.architecture().id(), config.source(),
                    model.parameterCount(), model.parameterCountByPart());
        }
        return model;
    }
}
