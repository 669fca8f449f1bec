package org.ablate.api;

import java.util.random.RandomGenerator;

/**
 * Training and held-out batches of one dataset, already tokenized and collated. Training batches are
 * drawn with the generator the trainer passes (derived from the run seed and the step), so a resumed
 * run sees the same batches; held-out batches come in a fixed order.
 */
@Experimental
public interface DataSource {
    /** A training batch of {@code batchSize} rows of at most {@code context} tokens. */
    Batch trainBatch(int batchSize, int context, RandomGenerator random);

    /** Held-out batch number {@code index} (0, 1, ...), or {@code null} past the end. */
    Batch heldOutBatch(int index, int batchSize, int context);

    /**
     * The whole training part as one token stream, in order, for models trained by counting instead of by
     * batches (the n-gram baseline); {@code null} when the source is not one stream (e.g. sentence pairs).
     */
    default int[] trainingTokens() { return null; }

    /** One line for the log, e.g. the file and token counts. */
    String describe();
}
