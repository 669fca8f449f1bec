package org.ablate.tensor;

import java.util.Arrays;
import org.ablate.tensor.kernels.Parallel;

/** Shape, stride and broadcasting helpers shared by the op families. */
final class Layout {
    private Layout() {}

    /** Splits {@code count} rows of {@code rowLen} elements over the pool in chunks of at least ~32K elements. */
    static void rows(int count, int rowLen, Parallel.RangeBody body) {
        Parallel.parallelRange(count, Math.max(1, 32768 / Math.max(1, rowLen)), body);
    }

    /** Runs {@code body} for 0 <= i < n; tasks must write disjoint memory. */
    static void forEachTask(int n, java.util.function.IntConsumer body) {
        Parallel.parallelFor(n, body);
    }

    /** Row-major elements of {@code t} broadcast to {@code target}. */
    static float[] gather(Tensor t, int[] target) {
        if (Arrays.equals(t.shape, target)) return t.dense();
        int lead = target.length - t.shape.length;
        int[] st = new int[target.length];
        for (int i = lead; i < target.length; i++) st[i] = t.shape[i - lead] == 1 ? 0 : t.strides[i - lead];
        float[] out = Workspace.floatsToFill((int) checkedNumel("broadcast", target));
        copyStrided(t.data(), t.offset, target, st, out, 0, rowMajor(target));
        return out;
    }

    /** Copies the strided block {@code shape} from src to dst, each with its own offset and strides. */
    static void copyStrided(float[] src, int so, int[] shape, int[] ss, float[] dst, int dof, int[] ds) {
        int nd = shape.length;
        if (nd == 0) {
            dst[dof] = src[so];
            return;
        }
        for (int s : shape) if (s == 0) return;
        int last = shape[nd - 1], sl = ss[nd - 1], dl = ds[nd - 1];
        int[] idx = new int[nd - 1];
        while (true) {
            int sp = so, dp = dof;
            for (int i = 0; i < nd - 1; i++) {
                sp += idx[i] * ss[i];
                dp += idx[i] * ds[i];
            }
            if (sl == 1 && dl == 1) {
                System.arraycopy(src, sp, dst, dp, last);
            } else {
                for (int j = 0; j < last; j++) dst[dp + j * dl] = src[sp + j * sl];
            }
            int i = nd - 2;
            for (; i >= 0; i--) {
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
            if (i < 0) return;
        }
    }

    /** Sums {@code g} down to {@code target} (undoing broadcasting). */
    static Tensor sumTo(Tensor g, int[] target) {
        if (Arrays.equals(g.shape, target)) return g;
        Tensor r = g;
        while (r.shape.length > target.length) r = r.sum(0, false);
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 1 && r.shape[i] != 1) r = r.sum(i, true);
        }
        if (!Arrays.equals(r.shape, target)) {
            throw new IllegalStateException("gradient of shape " + Arrays.toString(g.shape) + " cannot be reduced to "
                    + Arrays.toString(target));
        }
        return r;
    }

    static int[] broadcastShape(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            int x = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int y = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (expected equal sizes or 1 in each trailing dim)");
            }
            s[i] = x == 1 ? y : x;
        }
        return s;
    }

    static int[] rowMajor(int[] shape) {
        int[] st = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= Math.max(1, shape[i]);
        }
        return st;
    }

    static long checkedNumel(String op, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
            }
        }
        return n;
    }

    /** Product of the sizes after dim {@code d}. */
    static int innerSize(Tensor t, int d) {
        int n = 1;
        for (int i = d + 1; i < t.shape.length; i++) n *= t.shape[i];
        return n;
    }

    /** Product of the sizes before dim {@code d}. */
    static int outerSize(Tensor t, int d) {
        int n = 1;
        for (int i = 0; i < d; i++) n *= t.shape[i];
        return n;
    }

    static int lastDim(Tensor t, String op) {
        if (t.shape.length == 0) throw new IllegalArgumentException(op + ": needs at least 1 dim, got a 0-d tensor");
        return t.shape[t.shape.length - 1];
    }

    /** Checks that {@code v} (when not null) is {@code [n]}, the last dim of {@code t}. */
    static void checkVector(Tensor t, String op, String name, Tensor v, int n) {
        if (v != null && (v.shape.length != 1 || v.shape[0] != n)) {
            throw new IllegalArgumentException(op + ": " + name + " shape " + Arrays.toString(v.shape) + " does not fit input shape "
                    + Arrays.toString(t.shape) + " (expected [" + n + "])");
        }
    }

    static int[] removeDim(int[] s, int d) {
        int[] r = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) r[j++] = s[i];
        return r;
    }
}
