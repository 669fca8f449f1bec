/**
 * Ablate's stable SPI: the parts a transformer is built from ({@link org.ablate.api.Attention},
 * {@link org.ablate.api.PositionalEncoding}, {@link org.ablate.api.Norm}, {@link org.ablate.api.FeedForward},
 * {@link org.ablate.api.Sampler}, {@link org.ablate.api.Tokenizer}), a provider interface for each (discovery lives in {@code org.ablate.platform}).
 */
module org.ablate.api {
    requires transitive org.ablate.tensor;

    exports org.ablate.api;

}
