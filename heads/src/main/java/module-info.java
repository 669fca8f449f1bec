/** Model heads: what a model outputs from its hidden states. Exports nothing. */
module org.ablate.heads {
    requires org.ablate.api;

    provides org.ablate.api.HeadProvider with
            org.ablate.heads.LmHeadProvider,
            org.ablate.heads.MaskedLmHeadProvider,
            org.ablate.heads.PoolerProvider,
            org.ablate.heads.ClassifierProvider,
            org.ablate.heads.ScalarHeadProvider;
}
