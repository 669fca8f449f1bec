/** Attention variants: scaled dot-product, multi-head, cross, grouped-query. Exports nothing: found through the SPI. */
module org.ablate.attention {
    requires org.ablate.api;
}
