package org.ablate.run;

import com.google.inject.Module;

/**
 * A plugin's contribution to the run's object graph, as Trino's and Druid's plugins contribute Guice
 * modules: found with {@link java.util.ServiceLoader} (on the module path, the class path and in
 * plugin folders) and installed into every run's injector. A module typically adds a
 * {@link TrainingCallback} with {@code Multibinder.newSetBinder(binder(), TrainingCallback.class)}.
 */
public interface RunPlugin {
    /** A name for messages, e.g. the plugin's module. */
    String name();

    /** The Guice module for a run of {@code spec}. */
    Module module(RunSpec spec);
}
