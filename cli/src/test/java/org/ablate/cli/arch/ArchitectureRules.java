package org.ablate.cli.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The module rules of docs/architecture.md, written against a root package so that the same rules
 * run on the real code ({@code org.ablate}) and on a deliberately broken fixture.
 */
final class ArchitectureRules {
    /** Packages of the modules that implement the SPI. */
    static final List<String> IMPLEMENTATIONS = List.of("attention", "encodings", "samplers", "tokenizers", "layers");

    private ArchitectureRules() {}

    private static String[] pkgs(String root, List<String> names) {
        return names.stream().map(n -> root + "." + n + "..").toArray(String[]::new);
    }

    /** The tensor engine knows nothing of transformers: it uses no other Ablate module. */
    static ArchRule tensorIsStandalone(String root) {
        return noClasses().that().resideInAPackage(root + ".tensor..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        pkgs(root, List.of("api", "models", "cli", "attention", "encodings", "samplers", "tokenizers", "layers")))
                .because("tensor is the numerical engine and must not know about transformer parts");
    }

    /** The SPI knows no implementation. */
    static ArchRule apiKnowsNoImplementation(String root) {
        List<String> forbidden = new java.util.ArrayList<>(IMPLEMENTATIONS);
        forbidden.addAll(List.of("models", "cli"));
        return noClasses().that().resideInAPackage(root + ".api..")
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(root, forbidden))
                .because("api is the stable SPI; implementations depend on it, never the reverse");
    }

    /** Each implementation module depends only on api and tensor. */
    static ArchRule implementationsAreIndependent(String root, String impl) {
        List<String> others = new java.util.ArrayList<>(IMPLEMENTATIONS);
        others.remove(impl);
        others.addAll(List.of("models", "cli"));
        return noClasses().that().resideInAPackage(root + "." + impl + "..")
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(root, others))
                .because("implementation modules know only api and tensor, never each other");
    }

    /** models reaches implementations only through discovery, never by naming or loading their classes. */
    static ArchRule modelsUsesDiscoveryOnly(String root) {
        return noClasses().that().resideInAPackage(root + ".models..")
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(root, IMPLEMENTATIONS))
                .orShould().callMethod(Class.class, "forName", String.class)
                .because("models finds parts through ServiceLoader so that plugins can replace them");
    }

    /** No cycles between the packages under {@code root}. */
    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles();
    }
}
