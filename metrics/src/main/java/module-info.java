/**
 * Evaluation metrics over token sequences: corpus BLEU (Papineni et al. 2002) and exact match, and the
 * {@code metric} kind of conformance case that checks them. Exports its package for the commands and
 * evaluators that report these figures.
 */
module org.ablate.metrics {
    requires org.ablate.api;

    exports org.ablate.metrics;

    provides org.ablate.api.ConformanceKind with org.ablate.metrics.MetricConformance;
}
