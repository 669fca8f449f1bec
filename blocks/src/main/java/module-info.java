/** Block wirings: how attention, feed-forward, norms and residuals are put together. Exports nothing. */
module org.ablate.blocks {
    requires org.ablate.api;

    provides org.ablate.api.BlockProvider with
            org.ablate.blocks.PreNormProvider,
            org.ablate.blocks.PostNormProvider,
            org.ablate.blocks.SandwichProvider,
            org.ablate.blocks.ParallelProvider;
}
