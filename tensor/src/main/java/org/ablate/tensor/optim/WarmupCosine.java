package org.ablate.tensor.optim;

/**
 * Learning-rate schedule: linear warmup from {@code peak/warmupSteps} to {@code peak} over the first
 * {@code warmupSteps} steps, then cosine decay to {@code minLr} at {@code totalSteps}, and {@code minLr} after.
 */
public final class WarmupCosine implements Schedule {
    private final double peak, minLr;
    private final int warmupSteps, totalSteps;

    public WarmupCosine(double peak, double minLr, int warmupSteps, int totalSteps) {
        if (warmupSteps < 0 || totalSteps < warmupSteps || !(peak >= minLr) || !(minLr >= 0)) {
            throw new IllegalArgumentException("WarmupCosine: need 0 <= warmupSteps <= totalSteps and peak >= minLr >= 0, got peak="
                    + peak + ", minLr=" + minLr + ", warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps);
        }
        this.peak = peak;
        this.minLr = minLr;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    @Override public double lr(long step) {
        if (step < 0) throw new IllegalArgumentException("WarmupCosine: step must be >= 0, got " + step);
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        if (step >= totalSteps) return minLr;
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * progress));
    }
}
