package org.ablate.api;

import java.io.IOException;
import java.nio.file.Path;

/** Creates {@link Tokenizer}s from files or by training; discovered with {@link java.util.ServiceLoader}. */
@Stable
public interface TokenizerProvider extends ComponentProvider {
    /**
     * Loads a tokenizer from {@code path}: a folder written by {@link Tokenizer#save}, or the scheme's
     * own files (a folder or a single file, e.g. a Hugging Face {@code tokenizer.json}).
     *
     * @throws IOException if a file cannot be read or is malformed; the message names the file and the line or field
     */
    Tokenizer load(Path path, Params params) throws IOException;

    /** Whether {@link #train} is supported. */
    default boolean trainable() { return false; }

    /** Learns a vocabulary from {@code corpus} (e.g. {@code vocab_size} in {@code params}). */
    default Tokenizer train(CharSequence corpus, Params params) {
        throw new UnsupportedOperationException("tokenizer \"" + id() + "\" cannot be trained; load it from files");
    }
}
