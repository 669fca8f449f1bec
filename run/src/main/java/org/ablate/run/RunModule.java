package org.ablate.run;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;

import org.ablate.api.DataSource;
import org.ablate.api.Objective;
import org.ablate.api.ObjectiveContext;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;

/**
 * The run's bindings above the model: the resolved spec, the registry, the tokenizer, the data source
 * and objective the spec names (each made once, by its provider), and the set of training callbacks
 * that plugins' modules add to. {@link org.ablate.models.assembly.ModelModule} binds the model beside it;
 * the {@link Trainer} is built from both.
 */
public final class RunModule extends AbstractModule {
    private final RunSpec spec;
    private final ComponentRegistry registry;
    private final Tokenizer tokenizer;
    private final java.nio.file.Path from;

    public RunModule(RunSpec spec, ComponentRegistry registry, Tokenizer tokenizer) { this(spec, registry, tokenizer, null); }

    /** @param from the folder the run's weights start from ({@code --from}), or null; objectives may use it as their frozen reference */
    public RunModule(RunSpec spec, ComponentRegistry registry, Tokenizer tokenizer, java.nio.file.Path from) {
        this.spec = spec;
        this.registry = registry;
        this.tokenizer = tokenizer;
        this.from = from;
    }

    @Override protected void configure() {
        bind(RunSpec.class).toInstance(spec);
        bind(ComponentRegistry.class).toInstance(registry);
        if (tokenizer != null) bind(Tokenizer.class).toInstance(tokenizer); // null: ids without text, e.g. a benchmark's own data
        Multibinder.newSetBinder(binder(), TrainingCallback.class);
    }

    /** Frozen models (reference, reward) loaded for the objective, each checked against the run's tokenizer. */
    @Provides @Singleton ObjectiveContext objectiveContext() { return new FrozenModels(spec, registry, tokenizer, from); }

    @Provides @Singleton Objective objective(ObjectiveContext context) {
        try {
            return registry.objective(spec.objective().id()).create(spec.objective().params(), context);
        } catch (org.ablate.models.config.ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new org.ablate.models.config.ConfigException(spec.source(), "objective", e.getMessage(), e);
        }
    }

    @Provides @Singleton DataSource data() {
        if (spec.data() == null) throw new org.ablate.models.config.ConfigException(spec.source(), "data", "is required to train (e.g. data: {path: corpus.txt}, or --data FILE)");
        try {
            return registry.data(spec.data().id()).open(spec.data().params(), spec.base(), tokenizer, spec.run().context());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (org.ablate.models.config.ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new org.ablate.models.config.ConfigException(spec.source(), "", e.getMessage(), e);
        }
    }
}
