/**
 * The launcher beside the SPI: finds providers of every part kind with {@link java.util.ServiceLoader}
 * (boot layer, class path and plugin module layers), checks their SPI version and reserved ids, and
 * validates their parameters. The SPI itself ({@code org.ablate.api}) holds only interfaces and records.
 */
module org.ablate.platform {
    requires transitive org.ablate.api;

    exports org.ablate.platform;

    uses org.ablate.api.AttentionProvider;
    uses org.ablate.api.PositionalEncodingProvider;
    uses org.ablate.api.NormProvider;
    uses org.ablate.api.FeedForwardProvider;
    uses org.ablate.api.SamplerProvider;
    uses org.ablate.api.TokenizerProvider;
    uses org.ablate.api.BlockProvider;
    uses org.ablate.api.HeadProvider;
    uses org.ablate.api.ObjectiveProvider;
    uses org.ablate.api.DataSourceProvider;
    uses org.ablate.api.ConformanceKind;
}
