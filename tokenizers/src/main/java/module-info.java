/** Tokenizers: byte-level BPE, WordPiece, character. Exports nothing: found through the SPI. */
module org.ablate.tokenizers {
    requires org.ablate.api;

    provides org.ablate.api.TokenizerProvider with
            org.ablate.tokenizers.ByteBpeProvider,
            org.ablate.tokenizers.WordPieceProvider,
            org.ablate.tokenizers.CharProvider;
}
