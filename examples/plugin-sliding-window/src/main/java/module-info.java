/**
 * An example third-party attention plugin: sliding-window causal attention (each query sees the last
 * {@code window} positions, itself included) computed by its own fused masked kernel, a custom differentiable op
 * with a hand-written backward. Built against the SPI only.
 */
module com.example.ablate.slidingwindow {
    requires org.ablate.api;

    provides org.ablate.api.AttentionProvider with com.example.ablate.slidingwindow.SlidingWindowProvider;
    provides org.ablate.api.ConformanceKind with com.example.ablate.slidingwindow.SlidingWindowConformance;
}
