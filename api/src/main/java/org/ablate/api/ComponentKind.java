package org.ablate.api;

/** The SPIs a provider can implement, with the word used for them in configs and messages. */
@Stable
public enum ComponentKind {
    ATTENTION("attention", AttentionProvider.class),
    POSITIONAL_ENCODING("positional encoding", PositionalEncodingProvider.class),
    NORM("norm", NormProvider.class),
    FEED_FORWARD("feed-forward", FeedForwardProvider.class),
    SAMPLER("sampler", SamplerProvider.class),
    TOKENIZER("tokenizer", TokenizerProvider.class),
    BLOCK("block", BlockProvider.class),
    HEAD("head", HeadProvider.class),
    OBJECTIVE("objective", ObjectiveProvider.class),
    DATA("data source", DataSourceProvider.class);

    private final String label;
    private final Class<? extends ComponentProvider> providerType;

    ComponentKind(String label, Class<? extends ComponentProvider> providerType) {
        this.label = label;
        this.providerType = providerType;
    }

    /** Human name, e.g. {@code "positional encoding"}. */
    public String label() { return label; }

    /** The provider interface found by {@link java.util.ServiceLoader}. */
    public Class<? extends ComponentProvider> providerType() { return providerType; }
}
