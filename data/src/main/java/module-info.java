/** Data sources: files read, tokenized and collated into batches. Exports nothing. */
module org.ablate.data {
    requires org.ablate.api;

    provides org.ablate.api.DataSourceProvider with org.ablate.data.TextWindowsProvider,
            org.ablate.data.TextLinesProvider, org.ablate.data.LabelledTextProvider;
}
