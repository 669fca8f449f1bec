package org.ablate.tensor;

import static org.ablate.tensor.Autograd.needsGrad;
import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.checkVector;
import static org.ablate.tensor.Layout.innerSize;
import static org.ablate.tensor.Layout.lastDim;
import static org.ablate.tensor.Layout.outerSize;
import static org.ablate.tensor.Layout.rowMajor;
import static org.ablate.tensor.Layout.rows;

import org.ablate.tensor.kernels.Kernels;
import org.ablate.tensor.kernels.Parallel;

/** Softmax and normalisations, forward and backward: {@code softmax}, {@code logSoftmax}, {@code layerNorm}, {@code rmsNorm}. */
final class Normalization {
    private static final Kernels K = Kernels.ACTIVE;

    private Normalization() {}

    static Tensor softmax(Tensor self, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        int d = self.axis(op, dim);
        int n = self.shape[d], inner = innerSize(self, d), outer = outerSize(self, d);
        float[] x = self.dense();
        float[] y = Workspace.floats(x.length);
        if (inner == 1) {
            rows(outer, n * inner, (r0, r1) -> {
                for (int o = r0; o < r1; o++) {
                    int base = o * n;
                    float m = K.max(x, base, n);
                    if (m == Float.NEGATIVE_INFINITY) m = 0f;
                    float s = K.expShiftSum(x, base, m, y, base, n);
                    if (log) {
                        float lse = m + (float) Math.log(s);
                        for (int i = 0; i < n; i++) y[base + i] = x[base + i] - lse;
                    } else {
                        K.scale(y, base, 1f / s, n);
                    }
                }
            });
        } else {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int k = 0; k < n; k++) m = Math.max(m, x[base + k * inner]);
                    if (m == Float.NEGATIVE_INFINITY) m = 0f;
                    double s = 0;
                    for (int k = 0; k < n; k++) {
                        float e = (float) Math.exp(x[base + k * inner] - m);
                        y[base + k * inner] = e;
                        s += e;
                    }
                    float lse = m + (float) Math.log(s);
                    for (int k = 0; k < n; k++) {
                        int p = base + k * inner;
                        y[p] = log ? x[p] - lse : (float) (y[p] / s);
                    }
                }
            }
        }
        int[] s = self.shape.clone();
        return result(op, y, s, g -> {
            float[] gd = g.dense();
            float[] gx = Workspace.floats(gd.length);
            rows(outer, n * inner, (r0, r1) -> {
                for (int o = r0; o < r1; o++) {
                    for (int i = 0; i < inner; i++) {
                        int base = o * n * inner + i;
                        double acc = 0;
                        for (int k = 0; k < n; k++) {
                            int p = base + k * inner;
                            acc += log ? gd[p] : gd[p] * y[p];
                        }
                        for (int k = 0; k < n; k++) {
                            int p = base + k * inner;
                            gx[p] = log ? (float) (gd[p] - Math.exp(y[p]) * acc) : (float) (y[p] * (gd[p] - acc));
                        }
                    }
                }
            });
            return new Tensor[] {Tensor.of(gx, s)};
        }, self);
    }

    static Tensor layerNorm(Tensor self, Tensor weight, Tensor bias, float eps) {
        int n = lastDim(self, "layerNorm");
        checkVector(self, "layerNorm", "weight", weight, n);
        checkVector(self, "layerNorm", "bias", bias, n);
        int rows = n == 0 ? 0 : self.numel() / n;
        float[] x = self.dense();
        float[] w = weight == null ? null : weight.dense(), b = bias == null ? null : bias.dense();
        // xhat is kept only for a backward pass: inference writes y alone
        boolean tracked = Autograd.recording(self, weight, bias);
        float[] xhat = tracked ? Workspace.floatsToFill(x.length) : null, y = Workspace.floatsToFill(x.length), rstd = Workspace.floats(rows);
        rows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * n;
                float mean = K.sum(x, base, n) / n;
                float var = K.sumSquaredDeviation(x, base, n, mean) / n;
                float rs = (float) (1.0 / Math.sqrt(var + eps));
                rstd[r] = rs;
                K.normalize(x, base, n, mean, rs, w, b, xhat, y);
            }
        });
        int[] s = self.shape.clone();
        if (!tracked) return new Tensor(y, 0, s, rowMajor(s));
        return result("layerNorm", y, s, g -> {
            float[] gd = g.dense();
            float[] gx = Workspace.floatsToFill(gd.length);
            float[] gw = w == null || !needsGrad(weight) ? null : Workspace.floats(n);
            float[] gb = b == null || !needsGrad(bias) ? null : Workspace.floats(n);
            // rows are independent for gx; the parameter gradients are column sums, split by column range
            rows(rows, n, (r0, r1) -> {
                for (int r = r0; r < r1; r++) K.layerNormRowBackward(gd, xhat, w, r * n, n, rstd[r], gx);
            });
            if (gw != null || gb != null) {
                Parallel.parallelRange(n, 64, (c0, c1) -> K.normParamGrads(gd, xhat, rows, n, c0, c1, gw, gb));
            }
            return new Tensor[] {Tensor.of(gx, s), gw == null ? null : Tensor.of(gw, n), gb == null ? null : Tensor.of(gb, n)};
        }, self, weight, bias);
    }

    static Tensor rmsNorm(Tensor self, Tensor weight, float eps) {
        int n = lastDim(self, "rmsNorm");
        checkVector(self, "rmsNorm", "weight", weight, n);
        int rows = n == 0 ? 0 : self.numel() / n;
        float[] x = self.dense();
        float[] w = weight == null ? null : weight.dense();
        float[] y = Workspace.floats(x.length), rstd = Workspace.floats(rows);
        rows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * n;
                float ss = K.dot(x, base, x, base, n);
                float rs = (float) (1.0 / Math.sqrt(ss / n + eps));
                rstd[r] = rs;
                K.scaleRow(x, base, n, rs, w, y);
            }
        });
        int[] s = self.shape.clone();
        return result("rmsNorm", y, s, g -> {
            float[] gd = g.dense();
            float[] gx = Workspace.floats(gd.length);
            float[] gw = w == null ? null : Workspace.floats(n);
            for (int r = 0; r < rows; r++) {
                int base = r * n;
                float rs = rstd[r];
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    float dxw = gd[base + i] * (w == null ? 1f : w[i]);
                    dot += dxw * x[base + i];
                    if (gw != null) gw[i] += gd[base + i] * x[base + i] * rs;
                }
                float k = (float) (dot / n) * rs * rs;
                for (int i = 0; i < n; i++) {
                    float dxw = gd[base + i] * (w == null ? 1f : w[i]);
                    gx[base + i] = rs * (dxw - x[base + i] * k);
                }
            }
            return new Tensor[] {Tensor.of(gx, s), gw == null ? null : Tensor.of(gw, n)};
        }, self, weight);
    }
}
