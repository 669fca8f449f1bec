package org.ablate.tensor.optim;

/** A learning rate per optimizer step. */
public interface Schedule {
    /** The learning rate for 0-based step {@code step}. */
    double lr(long step);

    /** Sets the optimizer's learning rate for {@code step} and returns it. */
    default double apply(Optimizer opt, long step) {
        double lr = lr(step);
        opt.setLearningRate(lr);
        return lr;
    }

    /** Linear warmup to {@code peak} over {@code warmupSteps}, then constant. */
    static Schedule constant(double peak, int warmupSteps) {
        if (warmupSteps < 0 || !(peak >= 0)) throw new IllegalArgumentException("constant schedule: need warmup >= 0 and lr >= 0, got " + warmupSteps + ", " + peak);
        return step -> step < warmupSteps ? peak * (step + 1) / warmupSteps : peak;
    }

    /** Linear warmup to {@code peak}, then linear decay to {@code minLr} at {@code totalSteps} (BERT's schedule). */
    static Schedule linear(double peak, double minLr, int warmupSteps, int totalSteps) {
        if (warmupSteps < 0 || totalSteps < warmupSteps || !(peak >= minLr) || !(minLr >= 0)) {
            throw new IllegalArgumentException("linear schedule: need 0 <= warmup <= steps and lr >= min_lr >= 0, got lr=" + peak
                    + ", min_lr=" + minLr + ", warmup=" + warmupSteps + ", steps=" + totalSteps);
        }
        return step -> {
            if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
            if (step >= totalSteps) return minLr;
            double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
            return peak + (minLr - peak) * progress;
        };
    }
}
