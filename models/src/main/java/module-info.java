/**
 * Backbone assembly (embeddings, stacks of the configured block wiring, named heads), model configs, the Guice model module, Hugging Face
 * import/export, generation and conformance. Reaches implementations only through discovery.
 */
module org.ablate.models {
    requires transitive org.ablate.platform;
    requires com.google.guice;
    requires jakarta.inject; // Guice is an automatic module: its explicit dependency must be named to be in the module graph
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports org.ablate.models;
    exports org.ablate.models.config;
    exports org.ablate.models.assembly;
    exports org.ablate.models.hf;
    exports org.ablate.models.generate;
    exports org.ablate.models.conformance;
    exports org.ablate.models.checkpoint;

    opens org.ablate.models.assembly to com.google.guice;
}
