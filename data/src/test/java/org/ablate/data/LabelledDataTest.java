package org.ablate.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.ablate.api.Batch;
import org.ablate.api.BatchOptions;
import org.ablate.api.ComponentKind;
import org.ablate.api.DataSource;
import org.ablate.api.Encoding;
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.IntTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** labelled-text and text-lines: padding and masks, labels, the held-out split, overflow, and bad lines. */
class LabelledDataTest {
    static final int PAD = 0, CLS = 1, SEP = 2;

    /** One id per character ({@code 3 + c % 60}), wrapped in {@code CLS ... SEP}; truncation keeps both. */
    static final Tokenizer CHARS = new Tokenizer() {
        @Override public int[] encode(String text) { return text.chars().map(c -> 3 + c % 60).toArray(); }
        @Override public String decode(int[] ids) { throw new UnsupportedOperationException(); }
        @Override public int vocabSize() { return 63; }
        @Override public String token(int id) { return "t" + id; }
        @Override public int id(String token) { return -1; }
        @Override public SpecialTokens specialTokens() { return new SpecialTokens(PAD, -1, -1, -1, -1, CLS, SEP); }
        @Override public Encoding encodeForModel(String text, String pair, boolean add) {
            int[] body = encode(text);
            int[] ids = new int[body.length + 2];
            ids[0] = CLS;
            System.arraycopy(body, 0, ids, 1, body.length);
            ids[ids.length - 1] = SEP;
            int[] ones = new int[ids.length];
            Arrays.fill(ones, 1);
            return new Encoding(ids, new String[ids.length], new int[ids.length], ones);
        }
        @Override public List<Encoding> encodeBatch(List<String> texts, List<String> pairs, BatchOptions o) {
            Encoding e = encodeForModel(texts.get(0), null, true);
            if (o.maxLength() == 0 || e.length() <= o.maxLength()) return List.of(e);
            int[] ids = Arrays.copyOf(e.ids(), o.maxLength());
            ids[ids.length - 1] = SEP;
            int[] ones = new int[ids.length];
            Arrays.fill(ones, 1);
            return List.of(new Encoding(ids, new String[ids.length], new int[ids.length], ones));
        }
        @Override public void save(Path directory) { throw new UnsupportedOperationException(); }
    };

    static final ComponentRegistry REG = ComponentRegistry.discover();

    static DataSource open(String id, Path file, Map<String, Object> params, int context) throws IOException {
        Map<String, Object> p = new java.util.HashMap<>(params);
        p.put("path", file.toString());
        return REG.data(id).open(REG.params(ComponentKind.DATA, id, p), null, CHARS, context);
    }

    @Test void batchesArePaddedToTheLongestRowWithMasksAndOneLabelPerRow(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("d.tsv");
        Files.writeString(f, "label\ttext\nham\tabc\nspam\ta\\tb\\nc\\\\d\nham\tx\n");
        DataSource d = open("labelled-text", f, Map.of("labels", "ham, spam", "held_out", 1.0), 32);
        Batch b = d.heldOutBatch(0, 8, 32);
        // Rows in file order: "abc" (5 with CLS/SEP), "a<TAB>b<LF>c\d" (9), "x" (3).
        IntTensor ids = b.get("input_ids"), mask = b.get("attention_mask");
        assertArrayEquals(new int[]{3, 9}, ids.shape());
        assertArrayEquals(new int[]{0, 1, 0}, b.get("labels").data());
        assertArrayEquals(new int[]{1, 1, 1, 1, 1, 0, 0, 0, 0}, mask.row(0));
        assertArrayEquals(new int[]{1, 1, 1, 0, 0, 0, 0, 0, 0}, mask.row(2));
        assertArrayEquals(new int[]{CLS, 3 + 'x' % 60, SEP, PAD, PAD, PAD, PAD, PAD, PAD}, ids.row(2));
        int[] second = ids.row(1);
        assertEquals(3 + '\t' % 60, second[2], "\\t is a tab");
        assertEquals(3 + '\n' % 60, second[4], "\\n is a line feed");
        assertEquals(3 + '\\' % 60, second[6], "\\\\ is a backslash");
        assertEquals(5 + 9 + 3, b.tokens(), "a batch counts its unpadded tokens");
        assertNull(d.heldOutBatch(1, 8, 32));
        assertThrows(IllegalStateException.class, () -> d.trainBatch(2, 32, new SplittableRandom(0)));
    }

    @Test void heldOutSplitIsFixedDisjointAndCoversAFileSortedByLabel(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("sorted.tsv");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.append(i < 50 ? "a" : "b").append('\t').append("t").append(i).append('\n');
        Files.writeString(f, sb);
        DataSource d = open("labelled-text", f, Map.of("labels", "a,b", "held_out", 0.2), 16);
        Set<String> held = new HashSet<>();
        int[] perClass = new int[2];
        for (int i = 0; ; i++) {
            Batch b = d.heldOutBatch(i, 7, 16);
            if (b == null) break;
            for (int r = 0; r < b.get("labels").numel(); r++) {
                held.add(unpadded(b, r));
                perClass[b.get("labels").data()[r]]++;
            }
        }
        assertEquals(20, held.size());
        assertTrue(perClass[0] > 0 && perClass[1] > 0, "both classes held out: " + Arrays.toString(perClass));
        Set<String> train = new HashSet<>();
        for (int s = 0; s < 100; s++) {
            Batch b = d.trainBatch(8, 16, new SplittableRandom(s));
            for (int r = 0; r < 8; r++) train.add(unpadded(b, r));
        }
        assertEquals(80, train.size(), "training draws reach every training line");
        train.retainAll(held);
        assertTrue(train.isEmpty(), "held-out lines drawn for training: " + train);
        // The same file gives the same split, whatever else changes.
        DataSource again = open("labelled-text", f, Map.of("labels", "a,b", "held_out", 0.2), 16);
        assertArrayEquals(d.heldOutBatch(0, 20, 16).get("input_ids").data(), again.heldOutBatch(0, 20, 16).get("input_ids").data());
        assertArrayEquals(d.trainBatch(4, 16, new SplittableRandom(9)).get("input_ids").data(),
                again.trainBatch(4, 16, new SplittableRandom(9)).get("input_ids").data());
    }

    private static String unpadded(Batch b, int row) {
        int n = 0;
        for (int m : b.get("attention_mask").row(row)) n += m;
        return Arrays.toString(Arrays.copyOf(b.get("input_ids").row(row), n));
    }

    @Test void badLinesAreRefusedWithFileAndLine(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bad.tsv");
        Files.writeString(f, "ham\tfine\nmaybe\tunknown label\n");
        var e = assertThrows(IOException.class, () -> open("labelled-text", f, Map.of("labels", "ham,spam"), 16));
        assertEquals(f + ":2: unknown label \"maybe\"; data.labels lists ham, spam", e.getMessage());
        Files.writeString(f, "ham\tfine\n\nno tab here\n");
        e = assertThrows(IOException.class, () -> open("labelled-text", f, Map.of("labels", "ham,spam"), 16));
        assertEquals(f + ":3: expected label<TAB>text, found no tab", e.getMessage());
        Files.writeString(f, "ham\tbad \\q escape\n");
        e = assertThrows(IOException.class, () -> open("labelled-text", f, Map.of("labels", "ham,spam"), 16));
        assertTrue(e.getMessage().startsWith(f + ":1: unknown escape \\q"), e.getMessage());
        var dup = assertThrows(IllegalArgumentException.class, () -> open("labelled-text", f, Map.of("labels", "ham,ham"), 16));
        assertTrue(dup.getMessage().contains("data.labels") && dup.getMessage().contains("twice"), dup.getMessage());
        var missing = assertThrows(RuntimeException.class, () -> open("labelled-text", f, Map.of(), 16));
        assertTrue(missing.getMessage().contains("labels"), missing.getMessage());
    }

    @Test void overlongRowsAreRefusedOrTruncatedAsAskedNeverWrapped(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("lines.txt");
        Files.writeString(f, "short\n\nthis line is longer than ten\nok\n");
        var e = assertThrows(IOException.class, () -> open("text-lines", f, Map.of(), 10));
        assertEquals(f + ":3: 30 tokens, more than run.context 10; set data.overflow: truncate to cut such rows, or raise run.context", e.getMessage());
        DataSource d = open("text-lines", f, Map.of("overflow", "truncate", "held_out", 1.0), 10);
        Batch b = d.heldOutBatch(0, 10, 10);
        assertEquals(3, b.get("input_ids").size(0), "three rows: a long line is cut, never continued in another row");
        assertEquals(10, b.get("input_ids").size(1));
        int[] cut = b.get("input_ids").row(1);
        assertEquals(CLS, cut[0]);
        assertEquals(SEP, cut[9]);
        assertEquals(3 + 't' % 60, cut[1]);
        assertTrue(b.optional("labels") == null, "text-lines leaves labels to the objective");
    }

    @Test void textLinesHoldsOutTheLastLinesAndTrainsOnTheRest(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("lines.txt");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) lines.add("line " + i);
        Files.write(f, lines);
        DataSource d = open("text-lines", f, Map.of("held_out", 0.2), 16);
        Batch held = d.heldOutBatch(0, 5, 16);
        assertEquals(2, held.get("input_ids").size(0));
        assertEquals(3 + '8' % 60, held.get("input_ids").get(0, 6));
        for (int s = 0; s < 20; s++) {
            Batch t = d.trainBatch(4, 16, new SplittableRandom(s));
            for (int r = 0; r < 4; r++) {
                int last = t.get("input_ids").get(r, 6);
                assertTrue(last != 3 + '8' % 60 && last != 3 + '9' % 60, "a held-out line was drawn for training");
            }
        }
    }
}
