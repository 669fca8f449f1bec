package org.ablate.tensor;

import java.util.Arrays;

/** A contiguous, row-major tensor of int values: token ids, labels, masks (1 = keep, 0 = masked). */
public final class IntTensor {
    private final int[] data;
    private final int[] shape;

    private IntTensor(int[] data, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("IntTensor: negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("IntTensor: shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static IntTensor of(int[] data, int... shape) { return new IntTensor(data, shape); }

    /** A 1-d tensor of the given values. */
    public static IntTensor vector(int... values) { return new IntTensor(values, new int[] {values.length}); }

    public static IntTensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return new IntTensor(new int[Math.toIntExact(n)], shape);
    }

    public int[] shape() { return shape.clone(); }
    public int dim() { return shape.length; }
    public int size(int dim) { return shape[dim < 0 ? dim + shape.length : dim]; }
    public int numel() { return data.length; }
    /** The backing array, row-major. */
    public int[] data() { return data; }

    public int get(int... index) { return data[flat(index)]; }
    public void set(int value, int... index) { data[flat(index)] = value; }

    /** Row {@code i} of a 2-d tensor, as a copy. */
    public int[] row(int i) {
        if (shape.length != 2) throw new IllegalStateException("IntTensor.row: needs a 2-d tensor, shape is " + Arrays.toString(shape));
        return Arrays.copyOfRange(data, i * shape[1], (i + 1) * shape[1]);
    }

    private int flat(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("IntTensor: index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
        }
        int f = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("IntTensor: index " + Arrays.toString(index) + " out of shape " + Arrays.toString(shape));
            }
            f = f * shape[i] + index[i];
        }
        return f;
    }

    @Override public boolean equals(Object o) {
        return o instanceof IntTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }
    @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }
    @Override public String toString() { return "IntTensor" + Arrays.toString(shape); }
}
