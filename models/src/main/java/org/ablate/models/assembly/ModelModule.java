package org.ablate.models.assembly;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import java.util.Map;

import org.ablate.api.AttentionProvider;
import org.ablate.api.BlockProvider;
import org.ablate.api.FeedForwardProvider;
import org.ablate.api.HeadProvider;
import org.ablate.api.NormProvider;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PartFactory;
import org.ablate.api.PositionalEncodingProvider;
import org.ablate.models.config.ModelConfig;
import org.ablate.platform.ComponentRegistry;

/**
 * Guice bindings of one model: its config, its root parameter scope, per part the chosen provider and
 * parameters, the block wiring, a provider per named head, and the {@link Model} itself. A run's
 * injector installs this module; {@link ModelBuilder} uses it alone where no run exists (import, load).
 */
public final class ModelModule extends AbstractModule {
    private final ModelConfig config;
    private final ComponentRegistry registry;
    private final ParameterScope root;

    public ModelModule(ModelConfig config, ComponentRegistry registry, ParameterScope root) {
        this.config = config;
        this.registry = registry;
        this.root = root;
    }

    @Override protected void configure() {
        bind(ModelConfig.class).toInstance(config);
        bind(ParameterScope.class).toInstance(root);
        bind(NormProvider.class).toInstance(registry.norm(config.norm().id()));
        bind(AttentionProvider.class).toInstance(registry.attention(config.attention().id()));
        bind(PositionalEncodingProvider.class).toInstance(registry.positional(config.positional().id()));
        bind(FeedForwardProvider.class).toInstance(registry.feedForward(config.feedForward().id()));
        bind(BlockProvider.class).toInstance(registry.block(config.block().id()));
        bind(Params.class).annotatedWith(Names.named("norm")).toInstance(config.norm().params());
        bind(Params.class).annotatedWith(Names.named("attention")).toInstance(config.attention().params());
        bind(Params.class).annotatedWith(Names.named("positional")).toInstance(config.positional().params());
        bind(Params.class).annotatedWith(Names.named("feed_forward")).toInstance(config.feedForward().params());
        bind(Params.class).annotatedWith(Names.named("block")).toInstance(config.block().params());
        bind(PartFactory.class).to(Parts.class);
        // One head provider per named head, in the config's order (a MapBinder iterates in binding order).
        MapBinder<String, HeadProvider> heads = MapBinder.newMapBinder(binder(), String.class, HeadProvider.class);
        for (var e : config.outputHeads().entrySet()) heads.addBinding(e.getKey()).toInstance(registry.head(e.getValue().id()));
    }

    @Provides @Singleton Parts parts(ModelConfig config, NormProvider norm, @Named("norm") Params normParams,
                                     AttentionProvider attention, @Named("attention") Params attentionParams,
                                     PositionalEncodingProvider positional, @Named("positional") Params positionalParams,
                                     FeedForwardProvider feedForward, @Named("feed_forward") Params feedForwardParams) {
        return new Parts(config, norm, normParams, attention, attentionParams, positional, positionalParams, feedForward, feedForwardParams);
    }

    @Provides @Singleton Model model(ModelConfig config, Parts parts, BlockProvider block, @Named("block") Params blockParams,
                                     ParameterScope root, Map<String, HeadProvider> heads) {
        return new Model(config, parts, block, blockParams, heads, root);
    }
}
