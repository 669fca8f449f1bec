package org.ablate.api;

import java.util.random.RandomGenerator;

/** A training objective: a loss of a batch under a model. */
@Experimental
public interface Objective {
    /**
     * @param random derived from the run seed and the step, for objectives that draw (e.g. masks)
     */
    Loss loss(Network network, Batch batch, RandomGenerator random);
}
