package org.ablate.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ablate.tensor.IntTensor;

/**
 * One batch as a data source made it: named integer tensors, with Hugging Face's names where they
 * exist ({@code input_ids}, {@code attention_mask}, {@code labels}, {@code token_type_ids},
 * {@code decoder_input_ids}, ...). Labels equal to {@link #IGNORE} count in no loss.
 *
 * @param fields the tensors by name
 * @param tokens how many tokens the batch holds (for throughput)
 */
@Experimental
public record Batch(Map<String, IntTensor> fields, long tokens) {
    /** The label value losses skip (PyTorch's ignore_index). */
    public static final int IGNORE = -100;

    public Batch {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The tensor called {@code name}; fails naming the fields the batch has. */
    public IntTensor get(String name) {
        IntTensor t = fields.get(name);
        if (t == null) throw new IllegalArgumentException("batch: no field \"" + name + "\"; it has " + fields.keySet());
        return t;
    }

    /** The tensor called {@code name}, or {@code null}. */
    public IntTensor optional(String name) { return fields.get(name); }
}
