package org.ablate.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one application of a {@link CustomOp} keeps between its forward and backward passes: tensors saved with
 * {@link #saveForBackward}, other values stored by key with {@link #put}, the input shapes, and which inputs need a
 * gradient. The saved tensors and values are released once the backward pass has used them, or straight after the
 * forward pass when no graph is recorded; reading them after that throws {@link IllegalStateException}.
 */
public final class OpContext {
    private final CustomOp op;
    private final int[][] inputShapes;
    private final boolean[] needsInputGrad;
    private final boolean needsGrad;
    private List<Tensor> saved = new ArrayList<>();
    private Map<String, Object> values = new HashMap<>();
    private boolean released;

    OpContext(CustomOp op, Tensor[] inputs, boolean needsGrad) {
        this.op = op;
        this.needsGrad = needsGrad;
        this.inputShapes = new int[inputs.length][];
        this.needsInputGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) continue;
            inputShapes[i] = inputs[i].shape;
            needsInputGrad[i] = needsGrad && Autograd.needsGrad(inputs[i]);
        }
    }

    /**
     * Whether a backward pass can follow this forward pass: grad mode is on and some input needs a gradient. A forward
     * pass may skip saving what only the backward pass reads when this is false.
     */
    public boolean needsGrad() { return needsGrad; }

    /** Whether input {@code i} needs a gradient; backward may return null for the others. */
    public boolean needsInputGrad(int i) { return needsInputGrad[checkIndex(i)]; }

    /** The number of inputs of this application. */
    public int inputCount() { return inputShapes.length; }

    /** The shape of input {@code i} (a copy), or null when that input was null. Stays readable after release. */
    public int[] inputShape(int i) {
        int[] s = inputShapes[checkIndex(i)];
        return s == null ? null : s.clone();
    }

    /** Saves tensors for the backward pass, after any saved earlier; {@link #saved(int)} numbers them from 0. */
    public void saveForBackward(Tensor... tensors) {
        checkLive();
        saved.addAll(Arrays.asList(tensors));
    }

    /** The saved tensor number {@code i}. */
    public Tensor saved(int i) {
        checkLive();
        if (i < 0 || i >= saved.size()) {
            throw new IndexOutOfBoundsException(op.describe() + ": saved tensor " + i + " requested, " + saved.size() + " saved");
        }
        return saved.get(i);
    }

    /** All saved tensors, in order (an unmodifiable list). */
    public List<Tensor> savedTensors() {
        checkLive();
        return List.copyOf(saved);
    }

    /** Stores a value (a scalar, an array, a mask) for the backward pass under {@code key}. */
    public void put(String key, Object value) {
        checkLive();
        values.put(key, value);
    }

    /** The value stored under {@code key}, as {@code type}. */
    public <T> T get(String key, Class<T> type) {
        checkLive();
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException(op.describe() + ": no value stored under \"" + key + "\"; stored: " + values.keySet());
        }
        return type.cast(values.get(key));
    }

    /** Whether the saved tensors and values have been released. */
    public boolean released() { return released; }

    void release() {
        released = true;
        saved = null;
        values = null;
    }

    private void checkLive() {
        if (released) {
            throw new IllegalStateException(op.describe() + ": its saved values were released after the backward pass"
                    + " (or at once, when no graph was recorded)");
        }
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= inputShapes.length) {
            throw new IndexOutOfBoundsException(op.describe() + ": input " + i + " requested, the op has " + inputShapes.length);
        }
        return i;
    }
}
