package org.ablate.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ablate.api.Batch;
import org.ablate.api.BatchOptions;
import org.ablate.api.Encoding;
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.IntTensor;

/**
 * Texts as model rows (the tokenizer's special tokens added, e.g. {@code [CLS] ... [SEP]}) and their
 * collation into variable-length batches: each batch is as long as its longest row, shorter rows are
 * padded on the right with the PAD id (0 when the tokenizer has none) and {@code attention_mask} is 0
 * there. A row longer than {@code context} is cut to it (keeping the special tokens) or refused, as
 * {@code overflow} says; it is never wrapped into another row.
 */
final class Rows {
    private Rows() {}

    static final List<String> OVERFLOW = List.of("refuse", "truncate");

    /** One encoded row: ids and segment ids of equal length. */
    record Row(int[] ids, int[] types) {}

    static Row encode(Tokenizer tokenizer, String text, int context, boolean truncate, Path file, int line) throws IOException {
        Encoding e = tokenizer.encodeForModel(text, null, true);
        if (e.length() > context) {
            if (!truncate) {
                throw new IOException(file + ":" + line + ": " + e.length() + " tokens, more than run.context " + context
                        + "; set data.overflow: truncate to cut such rows, or raise run.context");
            }
            try {
                e = tokenizer.encodeBatch(List.of(text), null, new BatchOptions(true, context, false, false)).get(0);
            } catch (IllegalArgumentException tooShort) {
                throw new IOException(file + ":" + line + ": " + tooShort.getMessage(), tooShort);
            }
        }
        if (e.length() == 0) throw new IOException(file + ":" + line + ": the text gives no token");
        return new Row(e.ids(), e.typeIds());
    }

    /** The id padding is written with; its value never matters, since attention_mask is 0 there. */
    static int padId(Tokenizer tokenizer) {
        SpecialTokens sp = tokenizer.specialTokens();
        return sp.has(sp.pad()) ? sp.pad() : 0;
    }

    /**
     * {@code input_ids}, {@code attention_mask}, {@code token_type_ids} {@code [B, longest]} of {@code rows}, plus
     * {@code labels [B]} when {@code labels} is not {@code null}. The batch's token count is its unpadded tokens.
     */
    static Batch collate(List<Row> rows, int[] labels, int pad) {
        int b = rows.size(), longest = 0;
        for (Row r : rows) longest = Math.max(longest, r.ids().length);
        int[] ids = new int[b * longest], mask = new int[b * longest], types = new int[b * longest];
        long tokens = 0;
        for (int i = 0; i < b; i++) {
            Row r = rows.get(i);
            int n = r.ids().length;
            System.arraycopy(r.ids(), 0, ids, i * longest, n);
            System.arraycopy(r.types(), 0, types, i * longest, n);
            java.util.Arrays.fill(mask, i * longest, i * longest + n, 1);
            java.util.Arrays.fill(ids, i * longest + n, (i + 1) * longest, pad);
            tokens += n;
        }
        Map<String, IntTensor> fields = new java.util.LinkedHashMap<>();
        fields.put("input_ids", IntTensor.of(ids, b, longest));
        fields.put("attention_mask", IntTensor.of(mask, b, longest));
        fields.put("token_type_ids", IntTensor.of(types, b, longest));
        if (labels != null) fields.put("labels", IntTensor.of(labels, b));
        return new Batch(fields, tokens);
    }
}
