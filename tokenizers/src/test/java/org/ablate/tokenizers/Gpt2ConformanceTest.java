package org.ablate.tokenizers;

import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.junit.jupiter.api.Test;

/** GPT-2's own vocabulary and merges against the reference encodings in tokenizer_gpt2/cases.json. */
class Gpt2ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path caseDir() { return TestSupport.conformance().resolve("tokenizer_gpt2"); }

    @Test
    void everyCaseGivesTheExactIdsAndDecodesBack() throws Exception {
        Tokenizer tok = TestSupport.provider("byte-bpe").load(caseDir(), Params.empty());
        checkAll(tok);
    }

    @Test
    void loadsThroughTheCaseParametersToo() throws Exception {
        TokenizerProvider p = TestSupport.provider("byte-bpe");
        JsonNode caseJson = JSON.readTree(caseDir().resolve("case.json").toFile());
        Map<String, Object> raw = JSON.convertValue(caseJson.get("params"), Map.class);
        Params params = ParamValidation.validate("tokenizer \"byte-bpe\"", p.parameters(), raw);
        checkAll(p.load(caseDir(), params));
        checkAll(p.load(caseDir().resolve("encoder.json"), Params.empty()));
    }

    @Test
    void gpt2SpecialTokenIsEndOfText() throws Exception {
        Tokenizer tok = TestSupport.provider("byte-bpe").load(caseDir(), Params.empty());
        assertEquals(50257, tok.vocabSize());
        assertEquals(50256, tok.specialTokens().eos());
        assertEquals(50256, tok.specialTokens().bos());
        assertEquals(50256, tok.specialTokens().pad());
        assertEquals("<|endoftext|>", tok.token(50256));
        assertArrayEquals(new int[]{15496, 50256, 995}, tok.encode("Hello<|endoftext|> world"));
        assertEquals("Hello<|endoftext|> world", tok.decode(new int[]{15496, 50256, 995}));
        assertEquals("Hello world", tok.decode(new int[]{15496, 50256, 995}, true));
    }

    private static void checkAll(Tokenizer tok) throws Exception {
        JsonNode cases = JSON.readTree(caseDir().resolve("cases.json").toFile());
        assertTrue(cases.size() >= 10, "expected the reference cases");
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] want = new int[c.get("ids").size()];
            for (int i = 0; i < want.length; i++) want[i] = c.get("ids").get(i).asInt();
            int[] got = tok.encode(text);
            if (!java.util.Arrays.equals(want, got)) {
                failures.add(JSON.writeValueAsString(text) + ": want " + java.util.Arrays.toString(want)
                        + " got " + java.util.Arrays.toString(got));
            }
            if (!text.equals(tok.decode(want))) failures.add(JSON.writeValueAsString(text) + ": decodes to " + tok.decode(want));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
