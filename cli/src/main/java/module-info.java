/** The {@code ablate} command. */
module org.ablate.cli {
    requires org.ablate.models;
    requires info.picocli;
    requires jdk.incubator.vector;

    opens org.ablate.cli to info.picocli;
}
