package org.ablate.api;

import java.util.random.RandomGenerator;

/** A training objective: a loss of a batch under a model. */
@Experimental
public interface Objective {
    /**
     * @param random derived from the run seed and the step, for objectives that draw (e.g. masks)
     */
    Loss loss(Network network, Batch batch, RandomGenerator random);

    /**
     * Checks, before any step, that {@code network} has what this objective needs (an encoder, a head of
     * the right kind, ...); throws {@link IllegalArgumentException} saying what is missing, which the run
     * reports against the spec's {@code objective} section. The default accepts every network.
     */
    default void check(Network network) {}
}
