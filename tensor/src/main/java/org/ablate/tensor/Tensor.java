package org.ablate.tensor;

/** Placeholder until the tensor engine lands: a float32 tensor. */
public final class Tensor {
    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) { this.data = data; this.shape = shape.clone(); }

    public static Tensor of(float[] data, int... shape) { return new Tensor(data, shape); }
    public int[] shape() { return shape.clone(); }
    public int size(int dim) { return shape[dim < 0 ? dim + shape.length : dim]; }
    public int dim() { return shape.length; }
}
