package org.ablate.tensor;

import static org.ablate.tensor.Autograd.result;
import static org.ablate.tensor.Layout.rows;

import java.util.Arrays;
import org.ablate.tensor.kernels.Kernels;

/** Losses, forward and backward: {@code crossEntropy} with an ignored index and label smoothing. */
final class Losses {
    private static final Kernels K = Kernels.ACTIVE;

    private Losses() {}

    static Tensor crossEntropy(Tensor logits, IntTensor targets, int ignoreIndex, float labelSmoothing) {
        if (logits.shape.length != 2 || targets.dim() != 1 || targets.size(0) != logits.shape[0]) {
            throw new IllegalArgumentException("crossEntropy: logits shape " + Arrays.toString(logits.shape) + " and targets shape "
                    + Arrays.toString(targets.shape()) + " do not fit (expected [N, C] and [N])");
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        int n = logits.shape[0], c = logits.shape[1];
        int[] t = targets.data();
        float[] x = logits.dense();
        float[] lsm = Workspace.floats(x.length);
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] < 0 || t[i] >= c) {
                throw new IndexOutOfBoundsException("crossEntropy: target " + t[i] + " at row " + i + " out of range [0, " + c + ")");
            }
            count++;
        }
        // rows are independent: log-softmax and each row's loss over the pool, summed afterwards in row order
        double[] rowLoss = new double[n];
        rows(n, c, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                if (t[i] == ignoreIndex) continue;
                int base = i * c;
                float m = K.max(x, base, c);
                float s = K.expShiftSum(x, base, m, lsm, base, c);
                float lse = m + (float) Math.log(s);
                K.addScalar(x, base, -lse, lsm, base, c);
                double smooth = -K.sum(lsm, base, c);
                rowLoss[i] = (1 - labelSmoothing) * (double) -lsm[base + t[i]] + labelSmoothing * smooth / c;
            }
        });
        double total = 0;
        for (double v : rowLoss) total += v;
        int cnt = count;
        float loss = (float) (total / cnt);
        return result("crossEntropy", new float[] {loss}, new int[0], g -> {
            float go = g.item() / cnt;
            float[] gx = Workspace.floats(x.length);
            float offTarget = go * (labelSmoothing / c);
            rows(n, c, (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    if (t[i] == ignoreIndex) continue;
                    int base = i * c;
                    K.expScaleShift(lsm, base, go, offTarget, gx, base, c);
                    gx[base + t[i]] -= go * (1f - labelSmoothing);
                }
            });
            return new Tensor[] {Tensor.of(gx, n, c)};
        }, logits);
    }
}
