/**
 * Ablation studies: a study spec (a base run spec, named arms or a grid of overrides, one shared seed list,
 * metrics, expectations) expanded into resolved run specs with identities, run by an {@link org.ablate.study.Executor}
 * (child JVMs on this machine) with skip, resume, rerun and drift checks, and reported as Markdown and CSV tables
 * with paired 95 % intervals and PNG plots (XChart).
 */
module org.ablate.study {
    requires transitive org.ablate.run;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires java.desktop;
    requires jdk.management;
    requires xchart;

    exports org.ablate.study;
}
