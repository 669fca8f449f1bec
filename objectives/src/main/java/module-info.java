/** Training objectives: losses of a batch under a model, through the SPI's network view. Exports nothing. */
module org.ablate.objectives {
    requires org.ablate.api;

    provides org.ablate.api.ObjectiveProvider with org.ablate.objectives.NextTokenProvider,
            org.ablate.objectives.MaskedLmProvider, org.ablate.objectives.ClassificationProvider;
}
