/** The {@code ablate} command. */
module org.ablate.cli {
    requires org.ablate.models;
    requires info.picocli;

    opens org.ablate.cli to info.picocli;
}
