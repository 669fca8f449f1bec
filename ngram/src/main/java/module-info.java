/**
 * The statistical language model neural LMs replaced, as a baseline beside them: interpolated modified
 * Kneser-Ney (Chen and Goodman 1999) over token ids, trained by counting. Depends on the JDK only.
 */
module org.ablate.ngram {
    exports org.ablate.ngram;
}
