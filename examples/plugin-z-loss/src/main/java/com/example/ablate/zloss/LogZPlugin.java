package com.example.ablate.zloss;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import org.ablate.run.RunPlugin;
import org.ablate.run.RunSpec;
import org.ablate.run.TrainingCallback;

/**
 * Contributes a Guice module to every run, as a Trino or Druid plugin does: here a training callback that
 * prints one line at the end of training, so a user sees the plugin took part.
 */
public final class LogZPlugin implements RunPlugin {
    @Override public String name() { return "com.example.ablate.zloss"; }

    @Override public Module module(RunSpec spec) {
        return new AbstractModule() {
            @Override protected void configure() {
                Multibinder.newSetBinder(binder(), TrainingCallback.class).addBinding().toInstance(new TrainingCallback() {
                    private int steps;
                    @Override public void step(int step, int total, double loss, double lr, double tokensPerSecond) {
                        steps++;
                        if (step == total) System.out.println("z-loss plugin: trained to step " + step + " (" + steps + " steps in this process)");
                    }
                });
            }
        };
    }
}
