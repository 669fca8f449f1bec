/**
 * Ablate's stable SPI: the parts a transformer is built from ({@link org.ablate.api.Attention},
 * {@link org.ablate.api.PositionalEncoding}, {@link org.ablate.api.Norm}, {@link org.ablate.api.FeedForward},
 * {@link org.ablate.api.Sampler}, {@link org.ablate.api.Tokenizer}), a provider interface for each, and the
 * registry that discovers providers with {@link java.util.ServiceLoader}.
 */
module org.ablate.api {
    requires transitive org.ablate.tensor;

    exports org.ablate.api;
    exports org.ablate.api.discovery;

    uses org.ablate.api.AttentionProvider;
    uses org.ablate.api.PositionalEncodingProvider;
    uses org.ablate.api.NormProvider;
    uses org.ablate.api.FeedForwardProvider;
    uses org.ablate.api.SamplerProvider;
    uses org.ablate.api.TokenizerProvider;
}
