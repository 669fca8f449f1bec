package org.ablate.api;

/**
 * What a run offers the objective it creates beyond the objective's own parameters: the run's tokenizer,
 * and frozen models loaded from checkpoints (a DPO or PPO reference model, a reward model), so that such
 * objectives need no knowledge of checkpoints and the trainer none of them.
 */
@Experimental
public interface ObjectiveContext {
    /** The run's tokenizer, which is the trained model's. */
    Tokenizer tokenizer();

    /**
     * A frozen model: the checkpoint or run folder at {@code path} (relative paths from the spec's folder, then
     * the working folder), or, when {@code path} is empty, the weights the run started from ({@code --from}).
     * Its tokenizer must be the run's. Every call through it runs without gradients and without dropout.
     *
     * @param field the spec path that names it (e.g. {@code objective.reference}), for messages
     * @throws IllegalArgumentException naming {@code field} and the folder when it cannot be loaded or its
     *         tokenizer differs from the run's
     */
    Network frozen(String field, String path);
}
