package org.ablate.cli.arch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules hold for the real modules, and each rule fails on a fixture that breaks it. */
class ArchitectureTest {
    private static final String REAL = "org.ablate";
    private static final String FIXTURE = "org.ablate.cli.arch.fixture";

    private static JavaClasses real;
    private static JavaClasses fixture;

    @BeforeAll
    static void importClasses() {
        real = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(REAL);
        fixture = new ClassFileImporter().importPackages(FIXTURE);
    }

    static java.util.List<String> implementations() { return ArchitectureRules.IMPLEMENTATIONS; }

    @Test
    void theRealCodeHasClassesFromEveryLayer() {
        // Guards against a vacuous pass: the import must see the tensor engine, the SPI and the CLI.
        for (String pkg : new String[] {".tensor.", ".api.", ".cli."}) {
            assertFalse(real.stream().noneMatch(c -> c.getName().startsWith(REAL + pkg)), "no classes imported from " + pkg);
        }
    }

    @Test void tensorIsStandalone() { ArchitectureRules.tensorIsStandalone(REAL).check(real); }

    @Test void apiKnowsNoImplementation() { ArchitectureRules.apiKnowsNoImplementation(REAL).check(real); }

    @ParameterizedTest
    @MethodSource("implementations")
    void implementationsAreIndependent(String impl) {
        ArchitectureRules.implementationsAreIndependent(REAL, impl).allowEmptyShould(true).check(real);
    }

    @Test void modelsUsesDiscoveryOnly() { ArchitectureRules.modelsUsesDiscoveryOnly(REAL).check(real); }

    @Test void noPackageCycles() { ArchitectureRules.noPackageCycles(REAL).check(real); }

    // The fixture under org.ablate.cli.arch.fixture breaks every rule once.

    @Test void brokenTensorIsCaught() {
        assertThrows(AssertionError.class, () -> ArchitectureRules.tensorIsStandalone(FIXTURE).check(fixture));
    }

    @Test void brokenApiIsCaught() {
        assertThrows(AssertionError.class, () -> ArchitectureRules.apiKnowsNoImplementation(FIXTURE).check(fixture));
    }

    @Test void implementationsThatKnowEachOtherAreCaught() {
        assertThrows(AssertionError.class, () -> ArchitectureRules.implementationsAreIndependent(FIXTURE, "attention").check(fixture));
    }

    @Test void modelsNamingAnImplementationIsCaught() {
        assertThrows(AssertionError.class, () -> ArchitectureRules.modelsUsesDiscoveryOnly(FIXTURE).check(fixture));
    }

    @Test void packageCyclesAreCaught() {
        assertThrows(AssertionError.class, () -> ArchitectureRules.noPackageCycles(FIXTURE).check(fixture));
    }
}
