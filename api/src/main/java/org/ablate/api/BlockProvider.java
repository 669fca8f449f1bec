package org.ablate.api;

/** Creates {@link Block}s; discovered with {@link java.util.ServiceLoader}. */
@Experimental
public interface BlockProvider extends ComponentProvider {
    Block create(BlockSpec spec, Params params, ParameterScope scope);

    /** Whether a stack of these blocks should end with a norm unless the config says otherwise (pre-norm stacks do). */
    default boolean finalNormByDefault() { return false; }
}
