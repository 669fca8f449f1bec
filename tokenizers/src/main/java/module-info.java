/** Tokenizers: byte-level BPE, WordPiece, character. Exports nothing: found through the SPI. */
module org.ablate.tokenizers {
    requires org.ablate.api;
}
