/**
 * Contract checks for plugin providers, called from a plugin's own JUnit tests: one line per provider
 * ({@link org.ablate.testkit.ProviderContract#check(org.ablate.api.AttentionProvider)}) runs every check that
 * applies to its kind; each check is also public on its own. Failures are JUnit assertion failures.
 */
module org.ablate.testkit {
    requires transitive org.ablate.api;
    requires org.ablate.platform;
    requires transitive org.junit.jupiter.api;

    exports org.ablate.testkit;
}
