package com.example.ablate.slidingwindow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ComponentKind;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.platform.ComponentRegistry;
import org.ablate.testkit.ProviderContract;
import org.junit.jupiter.api.Test;

/**
 * The testkit's provider contract: parameters, weight names, determinism, gradients against central differences and
 * cached decoding parity, with a window shorter than the test sequence so that the window is exercised.
 */
class SlidingWindowContractTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    private final SlidingWindowProvider provider = new SlidingWindowProvider();

    private static PositionalEncoding positional(String id) {
        return REGISTRY.positional(id).create(new PositionalSpec(8, 2, 4, 16),
                REGISTRY.params(ComponentKind.POSITIONAL_ENCODING, id, Map.of()), ParameterScope.root(0));
    }

    @Test
    void meetsTheContractWithDefaults() {
        ProviderContract.check(provider);
    }

    @Test
    void meetsTheContractWithAShortWindow() {
        ProviderContract.check(provider, new AttentionSpec(8, 2, 2, true, 0.0, false, new PositionalEncoding() {}), Map.of("window", 2));
    }

    @Test
    void meetsTheContractWithRopeAndSharedKeyValueHeads() {
        ProviderContract.check(provider, new AttentionSpec(8, 2, 1, false, 0.0, false, positional("rope")), Map.of("window", 3));
    }

    @Test
    void meetsTheContractWithAlibi() {
        ProviderContract.check(provider, new AttentionSpec(8, 2, 2, true, 0.0, false, positional("alibi")), Map.of("window", 2));
    }

    @Test
    void refusesCrossAttentionAndDropoutByName() {
        var params = ProviderContract.parameters(provider, Map.of());
        var cross = assertThrows(IllegalArgumentException.class,
                () -> provider.create(new AttentionSpec(8, 2, 2, true, 0.0, true, null), params, ParameterScope.root(0)));
        assertTrue(cross.getMessage().startsWith("sliding-window: cross-attention"), cross.getMessage());
        var dropout = assertThrows(IllegalArgumentException.class,
                () -> provider.create(new AttentionSpec(8, 2, 2, true, 0.1, false, null), params, ParameterScope.root(0)));
        assertTrue(dropout.getMessage().contains("model.dropout"), dropout.getMessage());
    }
}
