/** Data sources: files read, tokenized and collated into batches. Exports nothing. */
module org.ablate.data {
    requires org.ablate.api;
    requires com.fasterxml.jackson.databind;

    provides org.ablate.api.DataSourceProvider with
            org.ablate.data.TextWindowsProvider,
            org.ablate.data.TextLinesProvider,
            org.ablate.data.LabelledTextProvider,
            org.ablate.data.InstructionsProvider,
            org.ablate.data.PreferencePairsProvider,
            org.ablate.data.PromptsProvider,
            org.ablate.data.ParallelTextProvider;
}
