package org.ablate.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.ablate.api.ApiVersion;
import org.ablate.api.ComponentKind;
import org.ablate.api.Params;
import org.ablate.api.ParamSpec;
import org.ablate.api.Sampler;
import org.ablate.api.SamplerProvider;
import org.junit.jupiter.api.Test;

class ComponentRegistryTest {

    /** A sampler provider with a chosen id and SPI version. */
    record FakeSampler(String id, ApiVersion apiVersion) implements SamplerProvider {
        @Override public String description() { return "test provider " + id; }
        @Override public List<ParamSpec> parameters() {
            return List.of(ParamSpec.real("p", 0.9, 0.0, false, 1.0, true, "nucleus mass"));
        }
        @Override public Sampler create(Params params) { return new Sampler() {}; }
    }

    private static RegisteredProvider reg(String id, String module) {
        return new RegisteredProvider(ComponentKind.SAMPLER, new FakeSampler(id, ApiVersion.current()), module);
    }

    @Test
    void unknownIdListsKnownIdsAndSuggestsClosest() {
        ComponentRegistry r = ComponentRegistry.of(List.of(reg("multi-head", "m"), reg("greedy", "m"), reg("top-p", "m")));
        var e = assertThrows(UnknownComponentException.class, () -> r.find(ComponentKind.SAMPLER, "mult-head"));
        assertEquals("unknown sampler \"mult-head\"; known: greedy, multi-head, top-p; did you mean \"multi-head\"?", e.getMessage());
    }

    @Test
    void unknownIdWithNothingCloseHasNoSuggestion() {
        ComponentRegistry r = ComponentRegistry.of(List.of(reg("greedy", "m")));
        var e = assertThrows(UnknownComponentException.class, () -> r.find(ComponentKind.SAMPLER, "beam-search"));
        assertEquals("unknown sampler \"beam-search\"; known: greedy", e.getMessage());
    }

    @Test
    void duplicateIdsNameBothModules() {
        var e = assertThrows(IllegalStateException.class,
                () -> ComponentRegistry.of(List.of(reg("greedy", "org.ablate.samplers"), reg("greedy", "com.example.plugin"))));
        assertTrue(e.getMessage().contains("in module org.ablate.samplers"), e.getMessage());
        assertTrue(e.getMessage().contains("in module com.example.plugin"), e.getMessage());
        assertTrue(e.getMessage().startsWith("two sampler providers share the id \"greedy\""), e.getMessage());
    }

    @Test
    void sameIdInDifferentKindsIsAllowed() {
        var attention = new RegisteredProvider(ComponentKind.TOKENIZER, new org.ablate.api.TokenizerProvider() {
            @Override public String id() { return "greedy"; }
            @Override public String description() { return "x"; }
            @Override public ApiVersion apiVersion() { return ApiVersion.current(); }
            @Override public org.ablate.api.Tokenizer load(java.nio.file.Path path, Params params) { throw new UnsupportedOperationException(); }
        }, "m");
        ComponentRegistry r = ComponentRegistry.of(List.of(reg("greedy", "m"), attention));
        assertEquals(2, r.all().size());
    }

    @Test
    void incompatibleSpiVersionIsRefusedWithClearMessage() {
        var newer = new RegisteredProvider(ComponentKind.SAMPLER, new FakeSampler("fancy", new ApiVersion(ApiVersion.MAJOR + 1, 0)), "com.example.fancy");
        ComponentRegistry r = ComponentRegistry.of(List.of(newer));
        var e = assertThrows(IllegalStateException.class, () -> r.sampler("fancy"));
        assertTrue(e.getMessage().contains("was built against Ablate SPI " + (ApiVersion.MAJOR + 1) + ".0"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.fancy"), e.getMessage());
    }

    @Test
    void paramsAreValidatedAgainstTheProvidersSpecs() {
        ComponentRegistry r = ComponentRegistry.of(List.of(reg("top-p", "m")));
        assertEquals(0.5, r.params(ComponentKind.SAMPLER, "top-p", Map.of("p", 0.5)).getDouble("p"));
        assertEquals(0.9, r.params(ComponentKind.SAMPLER, "top-p", Map.of()).getDouble("p"));
        var e = assertThrows(IllegalArgumentException.class, () -> r.params(ComponentKind.SAMPLER, "top-p", Map.of("p", 1.5)));
        assertEquals("sampler \"top-p\": parameter \"p\" must be in (0, 1], got 1.5", e.getMessage());
    }

    @Test
    void discoveryOnTheClassPathFindsNoDuplicates() {
        // The api module alone ships no providers; discovery must still work and be empty of clashes.
        ComponentRegistry r = ComponentRegistry.discover();
        for (ComponentKind k : ComponentKind.values()) assertEquals(r.ids(k).stream().distinct().count(), r.ids(k).size());
    }
}
