/**
 * An example third-party training plugin: PaLM's z-loss objective, Gemma 2's soft-capped LM head, and a Guice
 * module that adds a training callback to every run. Built against the SPI (and the run module's plugin hook) only.
 */
module com.example.ablate.zloss {
    requires org.ablate.api;
    requires org.ablate.run;
    requires com.google.guice;

    provides org.ablate.api.ObjectiveProvider with com.example.ablate.zloss.ZLossProvider;
    provides org.ablate.api.HeadProvider with com.example.ablate.zloss.SoftCapLmProvider;
    provides org.ablate.run.RunPlugin with com.example.ablate.zloss.LogZPlugin;
}
