/**
 * Evaluation metrics over token sequences: corpus BLEU (Papineni et al. 2002) and exact match, a judge of
 * text by a sentiment lexicon (AFINN's sum of word valences), and the {@code metric} kind of conformance case that checks them. Exports its package for the commands and
 * evaluators that report these figures.
 */
module org.ablate.metrics {
    requires org.ablate.api;
    requires com.fasterxml.jackson.databind;

    exports org.ablate.metrics;

    provides org.ablate.api.ConformanceKind with org.ablate.metrics.MetricConformance;
}
