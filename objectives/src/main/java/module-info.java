/** Training objectives: losses of a batch under a model, through the SPI's network view. Exports nothing. */
module org.ablate.objectives {
    requires org.ablate.api;
    requires org.ablate.metrics; // PPO's optional judge of its responses

    provides org.ablate.api.ObjectiveProvider with
            org.ablate.objectives.NextTokenProvider,
            org.ablate.objectives.MaskedLmProvider,
            org.ablate.objectives.ClassificationProvider,
            org.ablate.objectives.Seq2seqProvider,
            org.ablate.objectives.RewardPairwiseProvider,
            org.ablate.objectives.DpoProvider,
            org.ablate.objectives.PpoProvider;
    provides org.ablate.api.ConformanceKind with org.ablate.objectives.ObjectiveConformance;
}
