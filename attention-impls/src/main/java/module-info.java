/** Attention variants: scaled dot-product, multi-head, cross, grouped-query. Exports nothing: found through the SPI. */
module org.ablate.attention {
    requires org.ablate.api;

    provides org.ablate.api.AttentionProvider with
            org.ablate.attention.ScaledDotProductProvider,
            org.ablate.attention.MultiHeadProvider,
            org.ablate.attention.CrossProvider,
            org.ablate.attention.GroupedQueryProvider;
}
