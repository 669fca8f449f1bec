package org.ablate.tensor;

/**
 * A scope in which operations record no autograd graph on the current thread.
 * Obtain one with {@link Tensor#noGrad()} in a try-with-resources block; scopes nest.
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private boolean closed;

    NoGrad() { DEPTH.get()[0]++; }

    static boolean enabled() { return DEPTH.get()[0] == 0; }

    /** Ends the scope; closing twice has no further effect. */
    @Override public void close() {
        if (!closed) {
            closed = true;
            DEPTH.get()[0]--;
        }
    }
}
