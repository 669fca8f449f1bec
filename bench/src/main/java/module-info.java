/** JMH benchmarks and end-to-end benchmark commands. */
module org.ablate.bench {
    requires org.ablate.tensor;
    requires org.ablate.platform;
    requires jmh.core;
}
