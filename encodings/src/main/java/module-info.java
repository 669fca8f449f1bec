/** Positional encodings: sinusoidal, learned, RoPE, ALiBi, none. Exports nothing: found through the SPI. */
module org.ablate.encodings {
    requires org.ablate.api;
}
