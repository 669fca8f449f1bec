package org.ablate.tensor.io;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name  the tensor's name
 * @param dtype its element type
 * @param shape its shape (empty for a scalar)
 * @param begin byte offset of its data, from the start of the data section
 * @param end   byte offset just past its data
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    /** Number of elements. */
    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** The shape as ints (every dimension of a readable tensor fits). */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
        return s;
    }
}
