package org.ablate.api;

import java.util.Map;
import org.ablate.tensor.Tensor;

/**
 * What an objective computed for one batch.
 *
 * @param value   the scalar to minimise (with its graph when gradients are recorded)
 * @param count   how many items it averages over (tokens, sequences, pairs), to weight held-out means
 * @param metrics extra figures to log, by name (e.g. accuracy); may be empty
 */
@Experimental
public record Loss(Tensor value, long count, Map<String, Double> metrics) {
    public Loss {
        metrics = Map.copyOf(metrics);
    }
}
