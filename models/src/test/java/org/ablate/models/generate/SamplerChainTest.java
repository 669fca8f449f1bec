package org.ablate.models.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplerChainTest {
    @Test
    void aStepIsDescribedInTheSyntaxParseReads() {
        List<SamplerChain.Step> steps = SamplerChain.parse("temperature:value=0.8 -> top-p:p=0.95;min=1, sample");
        assertEquals(List.of("temperature:value=0.8", "top-p:p=0.95;min=1", "sample"),
                steps.stream().map(SamplerChain::describe).toList());
        // what is printed reads back as the same steps
        String printed = String.join(" -> ", steps.stream().map(SamplerChain::describe).toList());
        assertEquals(steps, SamplerChain.parse(printed));
    }

    @Test
    void describedParametersKeepTheirOrder() {
        var params = new java.util.LinkedHashMap<String, Object>();
        params.put("k", 40);
        params.put("keep", 2);
        assertEquals("top-k:k=40;keep=2", SamplerChain.describe(new SamplerChain.Step("top-k", params)));
        assertEquals("greedy", SamplerChain.describe(new SamplerChain.Step("greedy", Map.of())));
    }

    @Test
    void aPairWithoutAValueIsRefusedNamingIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> SamplerChain.parse("top-k:40"));
        assertEquals("sampler \"top-k\": expected name=value, got \"40\"", e.getMessage());
    }
}
