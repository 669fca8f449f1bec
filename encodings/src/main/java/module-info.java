/** Positional encodings: sinusoidal, learned, RoPE, ALiBi, none. Exports nothing: found through the SPI. */
module org.ablate.encodings {
    requires org.ablate.api;

    provides org.ablate.api.PositionalEncodingProvider with
            org.ablate.encodings.SinusoidalProvider,
            org.ablate.encodings.LearnedProvider,
            org.ablate.encodings.RopeProvider,
            org.ablate.encodings.AlibiProvider,
            org.ablate.encodings.NoneProvider;
}
