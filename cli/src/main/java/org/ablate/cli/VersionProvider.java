package org.ablate.cli;

import org.ablate.api.ApiVersion;
import picocli.CommandLine;

/** {@code ablate --version}: the toolkit version, SPI version and the Java runtime. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        Module self = Main.class.getModule();
        if (version == null && self.getDescriptor() != null) {
            version = self.getDescriptor().rawVersion().orElse(null);
        }
        return new String[] {
                "ablate " + (version == null ? "development build" : version),
                "SPI " + ApiVersion.current(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
