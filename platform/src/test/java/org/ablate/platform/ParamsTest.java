package org.ablate.platform;

import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {
    private static final List<ParamSpec> SPECS = List.of(
            ParamSpec.integer("k", 50, 1, null, "tokens kept"),
            ParamSpec.real("temperature", 1.0, 0.0, false, null, false, "divides logits"),
            ParamSpec.choice("activation", "gelu", List.of("relu", "gelu", "gelu-tanh"), "nonlinearity"),
            ParamSpec.bool("bias", true, "projection biases"));

    private static String error(Map<String, ?> raw) {
        return assertThrows(IllegalArgumentException.class, () -> ParamValidation.validate("sampler \"x\"", SPECS, raw)).getMessage();
    }

    @Test
    void fillsDefaults() {
        Params p = ParamValidation.validate("x", SPECS, Map.of("k", 5));
        assertEquals(5, p.getInt("k"));
        assertEquals(1.0, p.getDouble("temperature"));
        assertEquals("gelu", p.getString("activation"));
        assertEquals(true, p.getBoolean("bias"));
    }

    @Test
    void rangesAreEnforcedWithTheRangeInTheMessage() {
        assertEquals("sampler \"x\": parameter \"k\" must be in [1, inf), got 0", error(Map.of("k", 0)));
        assertEquals("sampler \"x\": parameter \"temperature\" must be in (0, inf), got 0", error(Map.of("temperature", 0)));
        assertEquals("sampler \"x\": parameter \"temperature\" must be in (0, inf), got -0.5", error(Map.of("temperature", -0.5)));
    }

    @Test
    void typesAreEnforced() {
        assertEquals("sampler \"x\": parameter \"k\" must be an integer, got 2.5 (double)", error(Map.of("k", 2.5)));
        assertEquals("sampler \"x\": parameter \"bias\" must be true or false, got \"yes\"", error(Map.of("bias", "yes")));
    }

    @Test
    void unknownNamesAndChoicesGetSuggestions() {
        assertEquals("sampler \"x\": unknown parameter \"temprature\"; known: activation, bias, k, temperature; did you mean \"temperature\"?",
                error(Map.of("temprature", 0.7)));
        assertEquals("sampler \"x\": parameter \"activation\" must be one of relu, gelu, gelu-tanh, got \"gelu_tanh\"; did you mean \"gelu-tanh\"?",
                error(Map.of("activation", "gelu_tanh")));
    }
}
