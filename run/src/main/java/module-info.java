/**
 * Runs: the run spec (sections, {@code extends:} presets, {@code --set} overrides, resolved once and
 * hashed), the Guice modules that wire a run's object graph from it (plugins may contribute modules),
 * the objective-agnostic trainer with parameter groups, run folders with atomic checkpoints and resume.
 */
module org.ablate.run {
    requires transitive org.ablate.models;
    requires org.ablate.metrics;
    requires com.google.guice;
    requires jakarta.inject;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports org.ablate.run;

    opens org.ablate.run to com.google.guice;

    uses org.ablate.run.RunPlugin;
}
