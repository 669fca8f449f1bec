package org.ablate.tensor.kernels;

/**
 * Single-precision matrix multiply: C[m×n] = A[m×k]·B[k×n], or C += A·B when {@code accumulate}.
 *
 * <p>Every operand is addressed as {@code array[off + row*rowStride + col*colStride]} (C with unit column
 * stride), so transposed and strided views are read in place without copies.
 */
public final class Gemm {
    private Gemm() {
    }

    /** C (+)= A·B. See the class comment for addressing. */
    public static void sgemm(int m, int n, int k,
                             float[] a, int aOff, int aRowStride, int aColStride,
                             float[] b, int bOff, int bRowStride, int bColStride,
                             float[] c, int cOff, int cRowStride, boolean accumulate) {
        checkArgs(m, n, k);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * cRowStride;
            if (!accumulate) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            }
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * aRowStride + p * aColStride];
                int bp = bOff + p * bRowStride;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += av * b[bp + j * bColStride];
                }
            }
        }
    }

    /** Plain scalar triple loop, in the same summation order for every element; the test oracle. */
    public static void reference(int m, int n, int k,
                                 float[] a, int aOff, int aRowStride, int aColStride,
                                 float[] b, int bOff, int bRowStride, int bColStride,
                                 float[] c, int cOff, int cRowStride, boolean accumulate) {
        checkArgs(m, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + i * aRowStride + p * aColStride] * b[bOff + p * bRowStride + j * bColStride];
                }
                int ci = cOff + i * cRowStride + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    private static void checkArgs(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
    }
}
