package org.ablate.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ablate.api.Batch;
import org.ablate.api.DataSource;
import org.ablate.api.DataSourceProvider;
import org.ablate.api.Params;
import org.ablate.platform.ParamValidation;
import org.ablate.tensor.IntTensor;

class PostTrainingDataTest {
    @TempDir Path dir;
    final CodePointTokenizer tok = new CodePointTokenizer();
    static final int I = Batch.IGNORE;

    private DataSource open(DataSourceProvider p, String jsonl, int context, Map<String, Object> more) throws IOException {
        Files.writeString(dir.resolve("d.jsonl"), jsonl);
        Map<String, Object> raw = new java.util.HashMap<>(Map.of("path", "d.jsonl", "held_out", 0.5));
        raw.putAll(more);
        Params params = ParamValidation.validate("data", p.parameters(), raw);
        return p.open(params, dir, tok, context);
    }

    private String message(DataSourceProvider p, String jsonl, int context, Map<String, Object> more) {
        return assertThrows(IOException.class, () -> open(p, jsonl, context, more)).getMessage();
    }

    /** Prompt from the template, response then EOS; labels on the response only, right padding with mask 0. */
    @Test void instructionRowsLabelTheResponseOnly() throws IOException {
        DataSource s = open(new InstructionsProvider(), """
                {"instruction": "ab", "input": "c", "output": "xy"}
                {"instruction": "d", "output": "z"}
                {"instruction": "held", "input": "", "output": "out"}
                {"instruction": "held2", "input": null, "output": "o"}
                """, 16, Map.of("template", "{instruction}|{input}>", "template_no_input", "{instruction}>"));
        Batch b = s.heldOutBatch(0, 8, 16);
        // held-out: the last two records; "held>" + "out" + EOS (9 tokens) and "held2>" + "o" + EOS (8), padded to 9
        IntTensor ids = b.get("input_ids"), labels = b.get("labels"), mask = b.get("attention_mask");
        assertArrayEquals(new int[] {2, 9}, ids.shape());
        assertArrayEquals(concat("held>out".chars().toArray(), new int[] {CodePointTokenizer.EOS}), ids.row(0));
        assertArrayEquals(new int[] {I, I, I, I, 'o', 'u', 't', CodePointTokenizer.EOS, I}, labels.row(0));
        assertArrayEquals(new int[] {I, I, I, I, I, 'o', CodePointTokenizer.EOS, I, I}, labels.row(1));
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0}, mask.row(1));
        assertEquals(CodePointTokenizer.PAD, ids.get(1, 8));
        assertEquals(17, b.tokens());
        assertNull(s.heldOutBatch(1, 8, 16));
        Batch t = s.trainBatch(3, 16, new SplittableRandom(1));
        for (int r = 0; r < 3; r++) {
            String row = tok.decode(t.get("input_ids").row(r)).replace("\0", "");
            assertTrue(row.equals("ab|c>xy\1") || row.equals("d>z\1"), row);
        }
    }

    @Test void instructionErrorsNameFileLineAndField() {
        InstructionsProvider p = new InstructionsProvider();
        Path f = dir.resolve("d.jsonl");
        assertEquals(f + ":2: field \"output\" is missing; expected a JSON object with string fields instruction, output (and optionally input)",
                message(p, "{\"instruction\": \"a\", \"output\": \"b\"}\n{\"instruction\": \"a\"}\n", 16, Map.of()));
        assertTrue(message(p, "\n\n{\"instruction\": \"a\", \"output\": 3}\n", 16, Map.of()).startsWith(f + ":3: field \"output\" is the number 3, expected a string"));
        assertTrue(message(p, "{\"instruction\": \"a\", \"output\": \"b\"\n", 16, Map.of()).startsWith(f + ":1: not valid JSON"));
        assertTrue(message(p, "[1, 2]\n", 16, Map.of()).startsWith(f + ":1: expected a JSON object"));
        String m = message(p, "{\"instruction\": \"a\", \"output\": \"b\"}\n{\"instruction\": \"a long instruction\", \"output\": \"b\"}\n", 16,
                Map.of("template_no_input", "{instruction}>"));
        assertTrue(m.startsWith(f + ":2: the prompt (field instruction, with the template) is 19 tokens, longer than run.context 16 allows (at most 15"), m);
        var bad = assertThrows(IllegalArgumentException.class, () -> open(p, "{\"instruction\": \"a\", \"output\": \"b\"}\n", 16, Map.of("template", "{instruction}")));
        assertTrue(bad.getMessage().startsWith("data.template: \"{instruction}\" has no {input} placeholder"), bad.getMessage());
    }

    /** A long response is cut to the context, keeping its first tokens; the last position predicts nothing. */
    @Test void longResponsesAreCutToTheContext() throws IOException {
        DataSource s = open(new InstructionsProvider(), "{\"instruction\": \"q\", \"output\": \"abcdefghij\"}\n{\"instruction\": \"r\", \"output\": \"s\"}\n",
                6, Map.of("template_no_input", "{instruction}>"));
        Batch b = s.trainBatch(1, 6, new SplittableRandom(3));
        String row = tok.decode(b.get("input_ids").row(0));
        if (row.startsWith("q")) {
            assertEquals("q>abcd", row);
            assertArrayEquals(new int[] {I, 'a', 'b', 'c', 'd', I}, b.get("labels").row(0));
        }
        assertTrue(s.describe().contains("1 responses cut to the context"), s.describe());
    }

    @Test void pairsShareOneWidthAndRefuseEqualAnswers() throws IOException {
        DataSource s = open(new PreferencePairsProvider(), """
                {"prompt": "p", "chosen": "good", "rejected": "b"}
                {"prompt": "q", "chosen": "c", "rejected": "d"}
                """, 16, Map.of("template", "<{prompt}>"));
        Batch b = s.trainBatch(1, 16, new SplittableRandom(0));
        assertEquals(b.get("chosen_input_ids").size(1), b.get("rejected_input_ids").size(1));
        for (String side : new String[] {"chosen_", "rejected_"}) {
            for (String f : new String[] {"input_ids", "attention_mask", "labels"}) assertEquals(2, b.get(side + f).dim(), side + f);
        }
        Batch h = s.heldOutBatch(0, 4, 16);
        assertArrayEquals(new int[] {'<', 'q', '>', 'c', CodePointTokenizer.EOS}, h.get("chosen_input_ids").row(0));
        assertArrayEquals(new int[] {I, I, 'c', CodePointTokenizer.EOS, I}, h.get("chosen_labels").row(0));
        assertArrayEquals(new int[] {I, I, 'd', CodePointTokenizer.EOS, I}, h.get("rejected_labels").row(0));
        String m = message(new PreferencePairsProvider(), "{\"prompt\": \"p\", \"chosen\": \"x\", \"rejected\": \"y\"}\n{\"prompt\": \"p\", \"chosen\": \"same\", \"rejected\": \"same\"}\n", 16, Map.of());
        assertEquals(dir.resolve("d.jsonl") + ":2: field \"rejected\" equals field \"chosen\"; a pair needs two different answers", m);
        m = message(new PreferencePairsProvider(), "{\"prompt\": \"p\", \"chosen\": \"x\"}\n", 16, Map.of());
        assertTrue(m.startsWith(dir.resolve("d.jsonl") + ":1: field \"rejected\" is missing"), m);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test void promptsArePaddedOnTheRightAndMustLeaveRoom() throws IOException {
        DataSource s = open(new PromptsProvider(), "{\"prompt\": \"ab\"}\n{\"prompt\": \"abcd\"}\n{\"prompt\": \"xyz\"}\n{\"prompt\": \"q\"}\n",
                8, Map.of("template", "{prompt}:"));
        Batch h = s.heldOutBatch(0, 4, 8);
        assertArrayEquals(new int[] {2, 4}, h.get("input_ids").shape());
        assertArrayEquals(new int[] {'x', 'y', 'z', ':'}, h.get("input_ids").row(0));
        assertArrayEquals(new int[] {'q', ':', CodePointTokenizer.PAD, CodePointTokenizer.PAD}, h.get("input_ids").row(1));
        assertArrayEquals(new int[] {1, 1, 0, 0}, h.get("attention_mask").row(1));
        String m = message(new PromptsProvider(), "{\"prompt\": \"ab\"}\n{\"prompt\": \"abcdefgh\"}\n", 8, Map.of());
        assertTrue(m.startsWith(dir.resolve("d.jsonl") + ":2: the prompt (field prompt, with the template) is 8 tokens, longer than run.context 8"), m);
        m = message(new PromptsProvider(), "{\"text\": \"ab\"}\n", 8, Map.of());
        assertTrue(m.startsWith(dir.resolve("d.jsonl") + ":1: field \"prompt\" is missing"), m);
    }
}
