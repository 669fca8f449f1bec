package org.ablate.models.assembly;

import java.util.ArrayList;
import java.util.List;

import org.ablate.api.KvCache;

/**
 * The KV caches of one generation through a decoder stack: one self-attention cache per block and,
 * for encoder-decoder models, one cross-attention cache per block (filled once from the memory).
 */
public final class DecoderCache {
    final List<KvCache> self = new ArrayList<>();
    final List<KvCache> cross;

    /** @param positions self-attention positions each cache holds before its buffers first double */
    public DecoderCache(int layers, boolean withCross, int positions) {
        for (int i = 0; i < layers; i++) self.add(KvCache.create(positions));
        cross = withCross ? new ArrayList<>() : null;
        if (withCross) for (int i = 0; i < layers; i++) cross.add(KvCache.create());
    }

    /** Positions already cached: the offset of the next tokens. */
    public int length() { return self.isEmpty() ? 0 : self.get(0).length(); }

    /** Keeps (and repeats) the batch rows {@code rows} in every cache, for beam search. */
    public void reorder(int[] rows) {
        for (KvCache c : self) c.reorder(rows);
        if (cross != null) for (KvCache c : cross) if (!c.isEmpty()) c.reorder(rows);
    }
}
