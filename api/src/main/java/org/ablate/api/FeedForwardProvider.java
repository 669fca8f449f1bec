package org.ablate.api;

/** Creates {@link FeedForward} blocks; discovered with {@link java.util.ServiceLoader}. */
@Stable
public interface FeedForwardProvider extends ComponentProvider {
    /**
     * @param dModel width in and out
     * @param dFf    hidden width
     * @param bias   whether the projections have biases
     * @param dropout dropout after the activation during training
     */
    FeedForward create(int dModel, int dFf, boolean bias, double dropout, Params params, ParameterScope scope);
}
