/** Sampling steps: greedy, temperature, top-k, top-p, min-p, repetition penalty, seeded sampling, beam search. Exports nothing: found through the SPI. */
module org.ablate.samplers {
    requires org.ablate.api;

    provides org.ablate.api.SamplerProvider with
            org.ablate.samplers.GreedyProvider,
            org.ablate.samplers.TemperatureProvider,
            org.ablate.samplers.TopKProvider,
            org.ablate.samplers.TopPProvider,
            org.ablate.samplers.MinPProvider,
            org.ablate.samplers.RepetitionPenaltyProvider,
            org.ablate.samplers.SampleProvider,
            org.ablate.samplers.BeamSearchProvider;
}
