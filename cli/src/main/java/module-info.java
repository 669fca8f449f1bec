/** The {@code ablate} command. */
module org.ablate.cli {
    requires org.ablate.run;
    requires com.google.guice; // the benchmarks bind their own data into a run's injector
    requires org.ablate.ngram;
    requires org.ablate.study;
    requires org.ablate.metrics; // the lexicon judge
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires jdk.incubator.vector;
    requires java.management; // the benchmarks report heap figures beside peak RSS
    requires jdk.management; // and the bytes a training step allocates
    requires xchart; // ablate plot
    requires java.desktop;

    opens org.ablate.cli to info.picocli;
}
