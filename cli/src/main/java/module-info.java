/** The {@code ablate} command. */
module org.ablate.cli {
    requires org.ablate.run;
    requires org.ablate.study;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires jdk.incubator.vector;

    opens org.ablate.cli to info.picocli;
}
