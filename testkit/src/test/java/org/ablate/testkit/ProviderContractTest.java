package org.ablate.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ablate.api.ApiVersion;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ComponentKind;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalEncodingProvider;
import org.ablate.api.PositionalSpec;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.Tensor;
import org.ablate.testkit.FaultyAttentionProvider.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

class ProviderContractTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    @ParameterizedTest
    @ValueSource(strings = {"multi-head", "grouped-query", "scaled-dot-product"})
    void builtInAttentionPasses(String id) {
        ProviderContract.check(REGISTRY.attention(id));
    }

    @Test
    void multiHeadWithRopePassesCachedDecoding() {
        var rope = REGISTRY.positional("rope").create(new PositionalSpec(8, 2, 4, 16),
                REGISTRY.params(ComponentKind.POSITIONAL_ENCODING, "rope", Map.of()), ParameterScope.root(0));
        ProviderContract.check(REGISTRY.attention("multi-head"), new AttentionSpec(8, 2, 2, true, 0.0, false, rope), Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rope", "alibi", "learned", "sinusoidal"})
    void builtInPositionalEncodingsPass(String id) {
        ProviderContract.check(REGISTRY.positional(id));
    }

    @Test
    void theFaultlessFixturePasses() {
        ProviderContract.check(new FaultyAttentionProvider(Fault.NONE));
    }

    @Test
    void aDefaultOutsideItsRangeFails() {
        assertFailsNaming(Fault.DEFAULT_OUT_OF_RANGE, "default of parameter \"temperature\"");
    }

    @Test
    void aNewerSpiFails() {
        assertFailsNaming(Fault.NEWER_SPI, "built against SPI 1." + (ApiVersion.MINOR + 1));
    }

    @Test
    void aWeightRegisteredTwiceFails() {
        assertFailsNaming(Fault.DUPLICATE_WEIGHT, "registered a name twice");
    }

    @Test
    void anUpperCaseWeightNameFails() {
        assertFailsNaming(Fault.UPPER_CASE_WEIGHT, "layers.0.attn.Q.weight");
    }

    @Test
    void anInitialiserWithItsOwnGeneratorFails() {
        assertFailsNaming(Fault.UNSEEDED_INIT, "differs between two builds from seed 42");
    }

    @Test
    void aWrongBackwardFails() {
        assertFailsNaming(Fault.WRONG_BACKWARD, "by central differences");
    }

    @Test
    void anAttentionIgnoringItsCacheFails() {
        assertFailsNaming(Fault.IGNORES_CACHE, "cache holds 0");
    }

    @Test
    void aRotationIgnoringItsOffsetFails() {
        PositionalEncodingProvider broken = new PositionalEncodingProvider() {
            @Override public String id() { return "offsetless"; }
            @Override public String description() { return "scales queries and keys by their position, but forgets the offset"; }
            @Override public ApiVersion apiVersion() { return ApiVersion.current(); }
            @Override public PositionalEncoding create(PositionalSpec spec, Params params, ParameterScope scope) {
                return new PositionalEncoding() {
                    @Override public Tensor rotate(Tensor x, int offset) {
                        int l = x.size(2);
                        float[] s = new float[l];
                        for (int i = 0; i < l; i++) s[i] = 1 + 0.1f * i; // should be offset + i
                        return x.mul(Tensor.of(s, l, 1));
                    }
                };
            }
        };
        var e = assertThrows(AssertionFailedError.class, () -> ProviderContract.check(broken));
        assertTrue(e.getMessage().contains("rotate at offset 1 differs"), e.getMessage());
    }

    private static void assertFailsNaming(Fault fault, String expected) {
        var e = assertThrows(AssertionError.class, () -> ProviderContract.check(new FaultyAttentionProvider(fault)));
        assertTrue(e.getMessage().contains(expected), "expected a message containing \"" + expected + "\", got: " + e.getMessage());
    }
}
