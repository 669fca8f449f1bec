package org.ablate.models.assembly;

import com.google.inject.AbstractModule;
import com.google.inject.name.Names;

import org.ablate.api.AttentionProvider;
import org.ablate.api.FeedForwardProvider;
import org.ablate.api.NormProvider;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncodingProvider;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.config.ModelConfig;

/** Guice bindings of one model: its config, its root parameter scope, and per part the chosen provider and parameters. */
final class ModelModule extends AbstractModule {
    private final ModelConfig config;
    private final ComponentRegistry registry;
    private final ParameterScope root;

    ModelModule(ModelConfig config, ComponentRegistry registry, ParameterScope root) {
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
        bind(Params.class).annotatedWith(Names.named("norm")).toInstance(config.norm().params());
        bind(Params.class).annotatedWith(Names.named("attention")).toInstance(config.attention().params());
        bind(Params.class).annotatedWith(Names.named("positional")).toInstance(config.positional().params());
        bind(Params.class).annotatedWith(Names.named("feed_forward")).toInstance(config.feedForward().params());
    }
}
