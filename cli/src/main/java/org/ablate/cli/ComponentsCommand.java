package org.ablate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ablate.api.ComponentKind;
import org.ablate.api.ParamSpec;
import org.ablate.platform.ComponentRegistry;
import org.ablate.platform.RegisteredProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ablate components}: every discovered provider, grouped by SPI. */
@Command(name = "components", mixinStandardHelpOptions = true,
        description = "List every component provider found, grouped by SPI: id, module, SPI version, description.")
final class ComponentsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules (jars) from this folder.")
    Path plugins;

    @Option(names = {"-p", "--parameters"}, description = "Also list each provider's parameters with defaults and ranges.")
    boolean parameters;

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        PrintWriter out = spec.commandLine().getOut();
        for (ComponentKind kind : ComponentKind.values()) {
            List<RegisteredProvider> providers = new ArrayList<>();
            for (RegisteredProvider r : registry.all()) if (r.kind() == kind) providers.add(r);
            out.printf("%s (%d)%n", kind.label(), providers.size());
            if (providers.isEmpty()) out.println("  (none found)");
            int idWidth = 4, moduleWidth = 6;
            for (RegisteredProvider r : providers) {
                idWidth = Math.max(idWidth, r.id().length());
                moduleWidth = Math.max(moduleWidth, r.module().length());
            }
            for (RegisteredProvider r : providers) {
                String version = r.provider().apiVersion() + (r.compatible() ? "" : " (incompatible)");
                out.printf("  %-" + idWidth + "s  %-" + moduleWidth + "s  SPI %-4s  %s%n",
                        r.id(), r.module(), version, r.provider().description());
                if (parameters) {
                    for (ParamSpec p : r.provider().parameters()) {
                        String range = p.rangeText().isEmpty() ? "" : " " + p.rangeText();
                        String dflt = p.required() ? "required" : "".equals(p.defaultValue()) ? "default \"\"" : "default " + p.defaultValue();
                        out.printf("      %s: %s%s, %s. %s%n", p.name(), p.type().name().toLowerCase(), range, dflt, p.description());
                    }
                }
            }
            out.println();
        }
        out.flush();
        return 0;
    }
}
