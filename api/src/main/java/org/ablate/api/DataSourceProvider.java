package org.ablate.api;

import java.io.IOException;
import java.nio.file.Path;

/** Opens {@link DataSource}s from a run spec's {@code data} section; discovered with {@link java.util.ServiceLoader}. */
@Experimental
public interface DataSourceProvider extends ComponentProvider {
    /**
     * The text a tokenizer should learn from, when the run trains its tokenizer.
     *
     * @param base the folder relative paths are resolved against
     */
    String tokenizerText(Params params, Path base) throws IOException;

    /**
     * @param context the longest row a batch will ask for, so that the source can check it has enough text
     * @throws IOException naming the file (and line or byte) at fault
     */
    DataSource open(Params params, Path base, Tokenizer tokenizer, int context) throws IOException;
}
