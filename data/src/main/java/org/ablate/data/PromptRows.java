package org.ablate.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.ablate.api.Batch;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.IntTensor;

/**
 * Prompt-and-response rows for post-training. A row's {@code input_ids} are the prompt's tokens followed by
 * the response's (cut to the context); its {@code labels} are aligned with them (position t predicts
 * labels[t]) and hold the next token only where that token belongs to the response, {@link Batch#IGNORE} on
 * the prompt, after the last token and on padding. Rows are padded on the right to the batch's longest,
 * with {@code attention_mask} 0 on padding.
 */
final class PromptRows {
    private PromptRows() {}

    /** A tokenized example. */
    record Row(int[] ids, int promptLength) {
        int length() { return ids.length; }
    }

    /** Fills {@code {name}} placeholders of a template. */
    static String render(String template, java.util.Map<String, String> fields) {
        String out = template;
        for (var e : fields.entrySet()) out = out.replace("{" + e.getKey() + "}", e.getValue());
        return out;
    }

    /** Checks that a template names each of {@code fields}. */
    static void checkTemplate(String param, String template, List<String> fields) {
        for (String f : fields) {
            if (!template.contains("{" + f + "}")) {
                throw new IllegalArgumentException("data." + param + ": \"" + template.replace("\n", "\\n") + "\" has no {" + f + "} placeholder");
            }
        }
    }

    /** The tokenizer's end-of-sequence id, or -1 when it has none. */
    static int eos(Tokenizer tokenizer) { return tokenizer.specialTokens().eos(); }

    /**
     * Tokenizes one example, ending the response with {@code eos} (when ≥ 0) and cutting it to the context.
     *
     * @param where     {@code file:line}, for messages
     * @param promptField the field (or fields) the prompt is made of, for messages
     * @param truncated counts responses that had to be cut (index 0)
     */
    static Row row(Tokenizer tokenizer, String prompt, String response, int eos, int context, Path file, int line,
                   String promptField, String responseField, int[] truncated) throws IOException {
        int[] p = tokenizer.encode(prompt);
        int[] r = tokenizer.encode(response);
        if (eos >= 0) {
            r = java.util.Arrays.copyOf(r, r.length + 1);
            r[r.length - 1] = eos;
        }
        if (r.length == 0) throw new IOException(file + ":" + line + ": field \"" + responseField + "\" is empty; a response needs at least one token");
        if (p.length >= context) {
            throw new IOException(file + ":" + line + ": the prompt (field " + promptField + ", with the template) is " + p.length
                    + " tokens, longer than run.context " + context + " allows (at most " + (context - 1)
                    + ", to leave room for the response); shorten it or raise run.context");
        }
        int n = Math.min(context, p.length + r.length);
        if (n < p.length + r.length) truncated[0]++;
        int[] ids = new int[n];
        System.arraycopy(p, 0, ids, 0, p.length);
        System.arraycopy(r, 0, ids, p.length, n - p.length);
        return new Row(ids, p.length);
    }

    /** The padded fields of {@code rows}, named {@code prefix + input_ids}, {@code prefix + attention_mask}, {@code prefix + labels}. */
    static void collate(List<Row> rows, int width, int pad, String prefix, java.util.Map<String, IntTensor> into) {
        int b = rows.size();
        int[] ids = new int[b * width], mask = new int[b * width], labels = new int[b * width];
        java.util.Arrays.fill(labels, Batch.IGNORE);
        if (pad != 0) java.util.Arrays.fill(ids, pad);
        for (int i = 0; i < b; i++) {
            Row r = rows.get(i);
            int o = i * width, n = r.length();
            System.arraycopy(r.ids(), 0, ids, o, n);
            for (int t = 0; t < n; t++) mask[o + t] = 1;
            for (int t = Math.max(0, r.promptLength() - 1); t < n - 1; t++) labels[o + t] = r.ids()[t + 1];
        }
        into.put(prefix + "input_ids", IntTensor.of(ids, b, width));
        into.put(prefix + "attention_mask", IntTensor.of(mask, b, width));
        into.put(prefix + "labels", IntTensor.of(labels, b, width));
    }

    static int longest(List<Row> rows) {
        int w = 1;
        for (Row r : rows) w = Math.max(w, r.length());
        return w;
    }

    static int padId(Tokenizer tokenizer) {
        int pad = tokenizer.specialTokens().pad();
        return pad >= 0 ? pad : 0;
    }

    /** How many of {@code n} examples go to the held-out part (the last ones), at least one each side. */
    static int heldOutCount(Path file, int n, double share) throws IOException {
        int held = (int) Math.round(n * share);
        held = Math.max(1, held);
        if (n - held < 1) {
            throw new IOException(file + ": " + n + " record(s) are too few to hold out a share of " + share
                    + " and keep some for training; add records or lower data.held_out");
        }
        return held;
    }

    /** Indices of held-out batch {@code index}, or null past the end. */
    static int[] heldOutRange(int index, int batchSize, int count) {
        int first = index * batchSize;
        if (first >= count) return null;
        return new int[] {first, Math.min(count, first + batchSize)};
    }

    static List<Row> sample(List<Row> from, int batchSize, java.util.random.RandomGenerator random) {
        List<Row> out = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) out.add(from.get(random.nextInt(from.size())));
        return out;
    }
}
