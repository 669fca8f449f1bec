package org.ablate.api;

import java.util.Arrays;
import org.ablate.tensor.Tensor;

/**
 * A {@link KvCache} over two preallocated buffers {@code [B, Hkv, capacity, Dh]} that double when full.
 * {@link #keys()} and {@link #values()} are slice views of the first {@code length} positions, so reading
 * the cache copies nothing. Appended tensors are copied in (their autograd history is not kept: the cache
 * serves inference).
 */
final class GrowableKvCache implements KvCache {
    private final int initialCapacity;
    private float[] keyBuf;
    private float[] valueBuf;
    private int batch = -1;
    private int heads;
    private int keyDim;
    private int valueDim;
    private int capacity;
    private int length;

    public GrowableKvCache(int initialCapacity) {
        if (initialCapacity <= 0) throw new IllegalArgumentException("kv cache: capacity must be positive, got " + initialCapacity);
        this.initialCapacity = initialCapacity;
    }

    @Override public int length() { return length; }

    /** Positions the buffers hold before they next grow. */
    public int capacity() { return capacity; }

    @Override public Tensor keys() {
        return length == 0 ? null : Tensor.of(keyBuf, batch, heads, capacity, keyDim).slice(2, 0, length);
    }

    @Override public Tensor values() {
        return length == 0 ? null : Tensor.of(valueBuf, batch, heads, capacity, valueDim).slice(2, 0, length);
    }

    @Override public void append(Tensor keys, Tensor values) {
        if (keys.dim() != 4 || values.dim() != 4) {
            throw new IllegalArgumentException("kv cache append: keys and values must be [B, Hkv, n, Dh], got "
                    + Arrays.toString(keys.shape()) + " and " + Arrays.toString(values.shape()));
        }
        int b = keys.size(0), h = keys.size(1), n = keys.size(2), dk = keys.size(3), dv = values.size(3);
        if (values.size(0) != b || values.size(1) != h || values.size(2) != n) {
            throw new IllegalArgumentException("kv cache append: keys " + Arrays.toString(keys.shape())
                    + " and values " + Arrays.toString(values.shape()) + " differ in batch, heads or length");
        }
        if (batch < 0) {
            batch = b; heads = h; keyDim = dk; valueDim = dv;
            capacity = Math.max(initialCapacity, n);
            keyBuf = new float[batch * heads * capacity * keyDim];
            valueBuf = new float[batch * heads * capacity * valueDim];
        } else if (b != batch || h != heads || dk != keyDim || dv != valueDim) {
            throw new IllegalArgumentException("kv cache append: expected [" + batch + ", " + heads + ", n, " + keyDim
                    + "] keys and [.., " + valueDim + "] values, got " + Arrays.toString(keys.shape())
                    + " and " + Arrays.toString(values.shape()));
        }
        if (length + n > capacity) grow(length + n);
        copyIn(keys.toArray(), keyBuf, n, keyDim);
        copyIn(values.toArray(), valueBuf, n, valueDim);
        length += n;
    }

    private void copyIn(float[] src, float[] dst, int n, int d) {
        for (int bh = 0; bh < batch * heads; bh++) {
            System.arraycopy(src, bh * n * d, dst, (bh * capacity + length) * d, n * d);
        }
    }

    private void grow(int needed) {
        int newCap = capacity;
        while (newCap < needed) newCap = Math.multiplyExact(newCap, 2);
        keyBuf = regrid(keyBuf, keyDim, newCap);
        valueBuf = regrid(valueBuf, valueDim, newCap);
        capacity = newCap;
    }

    // Fresh arrays (never in place) so views handed out earlier stay valid.
    private float[] regrid(float[] old, int d, int newCap) {
        float[] out = new float[batch * heads * newCap * d];
        for (int bh = 0; bh < batch * heads; bh++) {
            System.arraycopy(old, bh * capacity * d, out, bh * newCap * d, length * d);
        }
        return out;
    }

    @Override public void reorder(int[] rows) {
        if (batch < 0) return;
        for (int r : rows) {
            if (r < 0 || r >= batch) {
                throw new IndexOutOfBoundsException("kv cache reorder: row " + r + " outside batch of " + batch);
            }
        }
        keyBuf = pick(keyBuf, keyDim, rows);
        valueBuf = pick(valueBuf, valueDim, rows);
        batch = rows.length;
    }

    private float[] pick(float[] old, int d, int[] rows) {
        int rowSize = heads * capacity * d;
        float[] out = new float[rows.length * rowSize];
        for (int i = 0; i < rows.length; i++) System.arraycopy(old, rows[i] * rowSize, out, i * rowSize, rowSize);
        return out;
    }

    @Override public String toString() {
        return "KvCache[length=" + length + ", capacity=" + capacity + (batch < 0 ? "" : ", batch=" + batch + ", heads=" + heads) + "]";
    }
}
