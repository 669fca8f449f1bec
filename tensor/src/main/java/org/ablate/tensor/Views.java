package org.ablate.tensor;

import static org.ablate.tensor.Autograd.record;
import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.copyStrided;
import static org.ablate.tensor.Layout.rowMajor;
import static org.ablate.tensor.Layout.sumTo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape ops, forward and backward: views that share the backing array ({@code reshape} of a contiguous tensor,
 * {@code transpose}, {@code permute}, {@code slice}, {@code expand}, {@code unsqueeze}, {@code squeeze}) and the
 * copies {@code contiguous}, {@code concat}, {@code split} and {@code stack}.
 */
final class Views {
    private Views() {}

    static Tensor reshape(Tensor self, int... newShape) {
        int[] s = inferShape(self, newShape);
        if (Arrays.equals(s, self.shape) && self.isContiguous()) return self;
        Tensor src = self.isContiguous() ? self : self.contiguous();
        Tensor r = new Tensor(src.data(), src.offset, s, rowMajor(s));
        int[] old = self.shape;
        return record("reshape", r, g -> new Tensor[] {g.reshape(old)}, src);
    }

    private static int[] inferShape(Tensor self, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: negative size in " + Arrays.toString(newShape));
            } else {
                known *= s[i];
            }
        }
        int n = self.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(newShape) + " for shape "
                        + Arrays.toString(self.shape) + " (" + n + " elements)");
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: shape " + Arrays.toString(newShape) + " has " + known
                    + " elements, input shape " + Arrays.toString(self.shape) + " has " + n);
        }
        return s;
    }

    static Tensor transpose(Tensor self, int a, int b) {
        int[] p = new int[self.shape.length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        int x = self.axis("transpose", a), y = self.axis("transpose", b);
        p[x] = y;
        p[y] = x;
        return permute(self, p);
    }

    static Tensor permute(Tensor self, int... dims) {
        int[] shape = self.shape, strides = self.strides;
        if (dims.length != shape.length) {
            throw new IllegalArgumentException("permute: " + dims.length + " dims " + Arrays.toString(dims) + " for shape "
                    + Arrays.toString(shape));
        }
        int[] s = new int[dims.length], st = new int[dims.length], inv = new int[dims.length];
        boolean[] used = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = self.axis("permute", dims[i]);
            if (used[d]) throw new IllegalArgumentException("permute: repeated dim in " + Arrays.toString(dims));
            used[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
            inv[d] = i;
        }
        return record("permute", new Tensor(self.data(), self.offset, s, st), g -> new Tensor[] {g.permute(inv)}, self);
    }

    static Tensor slice(Tensor self, int dim, int start, int end) {
        int d = self.axis("slice", dim);
        int n = self.shape[d];
        int s0 = start < 0 ? start + n : start, e0 = end < 0 ? end + n : end;
        if (s0 < 0 || e0 > n || s0 > e0) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") out of bounds for dim " + dim
                    + " of shape " + Arrays.toString(self.shape));
        }
        int[] s = self.shape.clone();
        s[d] = e0 - s0;
        int[] old = self.shape;
        int from = s0;
        Tensor r = new Tensor(self.data(), self.offset + s0 * self.strides[d], s, self.strides);
        return record("slice", r, g -> {
            Tensor z = Tensor.scratch(old);
            Tensor region = z.slice(d, from, from + g.shape[d]);
            copyStrided(g.data(), g.offset, g.shape, g.strides, z.data(), region.offset, region.strides);
            return new Tensor[] {z};
        }, self);
    }

    static Tensor expand(Tensor self, int... newShape) {
        int[] shape = self.shape;
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: target " + Arrays.toString(newShape) + " has fewer dims than shape "
                    + Arrays.toString(shape));
        }
        int lead = newShape.length - shape.length;
        int[] s = new int[newShape.length], st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            if (i < lead) {
                if (newShape[i] < 0) throw new IllegalArgumentException("expand: -1 in a new leading dim of " + Arrays.toString(newShape));
                s[i] = newShape[i];
                st[i] = 0;
            } else {
                int o = shape[i - lead];
                int t = newShape[i] == -1 ? o : newShape[i];
                if (t == o) {
                    s[i] = o;
                    st[i] = self.strides[i - lead];
                } else if (o == 1) {
                    s[i] = t;
                    st[i] = 0;
                } else {
                    throw new IllegalArgumentException("expand: cannot expand shape " + Arrays.toString(shape) + " to "
                            + Arrays.toString(newShape) + " (only size-1 dims expand)");
                }
            }
        }
        return record("expand", new Tensor(self.data(), self.offset, s, st), g -> new Tensor[] {sumTo(g, shape)}, self);
    }

    static Tensor unsqueeze(Tensor self, int dim) {
        int[] shape = self.shape, strides = self.strides;
        int d = dim < 0 ? dim + shape.length + 1 : dim;
        if (d < 0 || d > shape.length) {
            throw new IllegalArgumentException("unsqueeze: dim " + dim + " out of range for shape " + Arrays.toString(shape));
        }
        int[] s = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = d < shape.length ? strides[d] * shape[d] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j];
                j++;
            }
        }
        return record("unsqueeze", new Tensor(self.data(), self.offset, s, st), g -> new Tensor[] {g.reshape(shape)}, self);
    }

    static Tensor squeeze(Tensor self, int dim) {
        int[] shape = self.shape;
        int d = self.axis("squeeze", dim);
        if (shape[d] != 1) return self;
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            s[j] = shape[i];
            st[j] = self.strides[i];
            j++;
        }
        return record("squeeze", new Tensor(self.data(), self.offset, s, st), g -> new Tensor[] {g.reshape(shape)}, self);
    }

    static Tensor contiguous(Tensor self) {
        if (self.isContiguous()) return self;
        return result("contiguous", self.dense(), self.shape.clone(), g -> new Tensor[] {g}, self);
    }

    static Tensor concat(List<Tensor> ts, int dim) {
        if (ts.isEmpty()) throw new IllegalArgumentException("concat: no tensors given");
        Tensor first = ts.get(0);
        int d = first.axis("concat", dim);
        int[] s = first.shape.clone();
        int total = 0;
        for (Tensor t : ts) {
            boolean ok = t.shape.length == s.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == d || t.shape[i] == s[i];
            if (!ok) {
                throw new IllegalArgumentException("concat: shape " + Arrays.toString(t.shape) + " does not match "
                        + Arrays.toString(first.shape) + " outside dim " + dim);
            }
            total += t.shape[d];
        }
        s[d] = total;
        Tensor out = Tensor.scratch(s);
        int[] sizes = new int[ts.size()];
        int at = 0;
        for (int j = 0; j < ts.size(); j++) {
            Tensor t = ts.get(j);
            sizes[j] = t.shape[d];
            Tensor region = out.slice(d, at, at + sizes[j]);
            copyStrided(t.data(), t.offset, t.shape, t.strides, out.data(), region.offset, region.strides);
            at += sizes[j];
        }
        Tensor[] inputs = ts.toArray(new Tensor[0]);
        return record("concat", out, g -> {
            Tensor[] gs = new Tensor[sizes.length];
            int from = 0;
            for (int j = 0; j < sizes.length; j++) {
                gs[j] = g.slice(d, from, from + sizes[j]).contiguous();
                from += sizes[j];
            }
            return gs;
        }, inputs);
    }

    static List<Tensor> split(Tensor self, int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split: size must be > 0, got " + size);
        int d = self.axis("split", dim);
        int n = self.shape[d];
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0; s < n; s += size) parts.add(self.slice(d, s, Math.min(n, s + size)));
        return parts;
    }

    static Tensor stack(List<Tensor> ts, int dim) {
        if (ts.isEmpty()) throw new IllegalArgumentException("stack: no tensors given");
        int[] s0 = ts.get(0).shape;
        List<Tensor> us = new ArrayList<>(ts.size());
        for (Tensor t : ts) {
            if (!Arrays.equals(t.shape, s0)) {
                throw new IllegalArgumentException("stack: shape " + Arrays.toString(t.shape) + " differs from "
                        + Arrays.toString(s0) + " (all must be equal)");
            }
            us.add(t.unsqueeze(dim));
        }
        return concat(us, dim < 0 ? dim + s0.length + 1 : dim);
    }
}
