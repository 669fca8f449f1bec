/** Sampling steps: greedy, temperature, top-k, top-p, min-p, repetition penalty, beam search. Exports nothing: found through the SPI. */
module org.ablate.samplers {
    requires org.ablate.api;
}
