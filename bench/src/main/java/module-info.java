/** JMH benchmarks and end-to-end benchmark commands. */
module org.ablate.bench {
    requires org.ablate.tensor;
    requires org.ablate.api;
    requires jmh.core;
}
