package org.ablate.tokenizers;

import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ablate.api.Encoding;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.junit.jupiter.api.Test;

/** bert-base-uncased from its tokenizer.json against tokenizer_bert/cases.json: ids, tokens, type ids. */
class BertConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path caseDir() { return TestSupport.conformance().resolve("tokenizer_bert"); }

    @Test
    void everyCaseMatchesFromTheFolder() throws Exception {
        checkAll(TestSupport.provider("wordpiece").load(caseDir(), Params.empty()));
    }

    @Test
    void everyCaseMatchesThroughTheCaseParameters() throws Exception {
        TokenizerProvider p = TestSupport.provider("wordpiece");
        Map<String, Object> raw = JSON.convertValue(JSON.readTree(caseDir().resolve("case.json").toFile()).get("params"), Map.class);
        checkAll(p.load(caseDir(), ParamValidation.validate("tokenizer \"wordpiece\"", p.parameters(), raw)));
    }

    @Test
    void savedAndReloadedGivesTheSameEncodings(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Tokenizer tok = TestSupport.provider("wordpiece").load(caseDir().resolve("tokenizer.json"), Params.empty());
        tok.save(tmp);
        checkAll(TestSupport.provider("wordpiece").load(tmp, Params.empty()));
        // vocab.txt with the default (uncased) switches matches as well.
        checkAll(TestSupport.provider("wordpiece").load(tmp.resolve("vocab.txt"), Params.empty()));
    }

    @Test
    void specialTokensAreBerts() throws Exception {
        Tokenizer tok = TestSupport.provider("wordpiece").load(caseDir(), Params.empty());
        var sp = tok.specialTokens();
        assertEquals("[PAD]", tok.token(sp.pad()));
        assertEquals("[UNK]", tok.token(sp.unk()));
        assertEquals("[CLS]", tok.token(sp.cls()));
        assertEquals("[SEP]", tok.token(sp.sep()));
        assertEquals("[MASK]", tok.token(sp.mask()));
        assertEquals(-1, sp.bos());
        assertEquals("hello, world!", tok.decode(tok.encode("Hello, world!")));
        assertEquals("unaffable", tok.decode(tok.encode("unaffable")));
    }

    private static void checkAll(Tokenizer tok) throws Exception {
        JsonNode cases = JSON.readTree(caseDir().resolve("cases.json").toFile());
        assertTrue(cases.size() >= 10, "expected the reference cases");
        List<String> failures = new ArrayList<>();
        int pairs = 0;
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            String pair = c.hasNonNull("text_pair") ? c.get("text_pair").asText() : null;
            if (pair != null) pairs++;
            Encoding e = tok.encodeForModel(text, pair, true);
            int[] ids = ints(c.get("ids")), types = ints(c.get("token_type_ids"));
            String[] tokens = new String[c.get("tokens").size()];
            for (int i = 0; i < tokens.length; i++) tokens[i] = c.get("tokens").get(i).asText();
            String label = JSON.writeValueAsString(text) + (pair == null ? "" : " / " + JSON.writeValueAsString(pair));
            if (!Arrays.equals(ids, e.ids())) failures.add(label + ": ids want " + Arrays.toString(ids) + " got " + Arrays.toString(e.ids()));
            if (!Arrays.equals(tokens, e.tokens())) failures.add(label + ": tokens want " + Arrays.toString(tokens) + " got " + Arrays.toString(e.tokens()));
            if (!Arrays.equals(types, e.typeIds())) failures.add(label + ": type ids want " + Arrays.toString(types) + " got " + Arrays.toString(e.typeIds()));
            int[] ones = new int[ids.length];
            Arrays.fill(ones, 1);
            if (!Arrays.equals(ones, e.attentionMask())) failures.add(label + ": attention mask not all ones");
        }
        assertTrue(pairs > 0, "the reference cases include sentence pairs");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
