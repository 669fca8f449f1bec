/** Norms (layer norm, RMS norm) and feed-forward blocks (MLP, SwiGLU). Exports nothing: found through the SPI. */
module org.ablate.layers {
    requires org.ablate.api;

    provides org.ablate.api.NormProvider with org.ablate.layers.LayerNormProvider, org.ablate.layers.RmsNormProvider;
    provides org.ablate.api.FeedForwardProvider with org.ablate.layers.MlpProvider, org.ablate.layers.SwiGluProvider;
}
