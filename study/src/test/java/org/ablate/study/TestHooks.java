package org.ablate.study;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

import org.ablate.run.RunPlugin;
import org.ablate.run.RunSpec;
import org.ablate.run.TrainingCallback;

/**
 * A run plugin the tests switch on in their child JVMs through system properties: {@code ablate.test.stepMillis}
 * slows every step (so a kill lands mid-run), {@code ablate.test.fail} makes every run fail at step 2 with the same
 * error, {@code ablate.test.nanArm} makes the runs whose positional encoding is that id fail as a diverged loss does.
 */
public final class TestHooks implements RunPlugin {
    @Override public String name() { return "study test hooks"; }

    @Override public Module module(RunSpec spec) {
        long millis = Long.getLong("ablate.test.stepMillis", 0);
        boolean fail = Boolean.getBoolean("ablate.test.fail");
        boolean nan = spec.model().positional().id().equals(System.getProperty("ablate.test.nanArm"));
        return new AbstractModule() {
            @Override protected void configure() {
                Multibinder.newSetBinder(binder(), TrainingCallback.class).addBinding().toInstance(new TrainingCallback() {
                    @Override public void step(int step, int total, double loss, double lr, double tps) {
                        if (fail && step == 2) throw new IllegalStateException("test failure at step " + step);
                        if (nan && step == 2) throw new ArithmeticException("train: the loss became NaN at step " + step);
                        if (millis > 0) {
                            try { Thread.sleep(millis); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                        }
                    }
                });
            }
        };
    }
}
