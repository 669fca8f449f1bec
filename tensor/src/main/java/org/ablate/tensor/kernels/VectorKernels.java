package org.ablate.tensor.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API backend: matrix products through {@link Gemm} and {@link Gemv} (cache-blocked, register-tiled,
 * split over the pool) and the row kernels of {@link Simd}, all at the width of {@link VectorWidth}, which the JIT
 * sees as a constant. The default backend.
 */
final class VectorKernels implements Kernels {
    VectorKernels() {
        if (VectorWidth.SPECIES == null) {
            throw new IllegalStateException("VectorKernels: ablate.vector.bits is 'scalar'; use ScalarKernels");
        }
    }

    @Override public String describe() {
        return "kernels: vector " + VectorWidth.SPECIES.vectorBitSize() + "-bit (" + VectorWidth.SPECIES.length()
                + " floats), preferred " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit; " + Gemm.describe();
    }

    /** Whether {@link #matmul} gives this shape to the Gemv kernels: one row, or a few contiguous rows times a transposed weight. */
    private static boolean onGemv(int m, int bRs, int aCs) {
        return m == 1 || (m <= Gemv.SMALL_M && bRs == 1 && aCs == 1);
    }

    /** Picks the kernel for the shape and layout: one row streams B (Gemv), a few rows times a weight tile it, else Gemm. */
    @Override public void matmul(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                                 int bCs, float[] c, int cOff, int cRs, boolean accumulate) {
        if (m == 1) { // one row (a decoding step): memory-bound, stream B once without packing
            Gemv.gemv(n, k, a, aOff, aCs, b, bOff, bRs, bCs, c, cOff, accumulate);
            return;
        }
        if (m <= Gemv.SMALL_M && bRs == 1 && aCs == 1) { // a short prompt times a weight
            Gemv.smallM(m, n, k, a, aOff, aRs, 1, b, bOff, 1, bCs, c, cOff, cRs, accumulate);
            return;
        }
        Gemm.sgemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
    }

    /**
     * As {@link #matmul}, B a mapped weight, each shape on the kernel the array would take: a transposed weight times
     * a few rows stages blocks of it for the Gemv kernels, many rows go to Gemm, which packs B from the file; the
     * layouts no weight comes in (one or two rows times a row-major B) copy B first.
     */
    @Override public void matmul(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, MemorySegment b, int bOff,
                                 int bRs, int bCs, float[] c, int cOff, int cRs, boolean accumulate) {
        if (m >= 1 && bRs == 1 && onGemv(m, bRs, aCs)) {
            Gemv.mapped(m, n, k, a, aOff, aRs, aCs, b, bOff, bCs, c, cOff, cRs, accumulate);
        } else if (m <= Gemm.SKINNY_ROWS) {
            Kernels.super.matmul(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
        } else {
            Gemm.sgemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
        }
    }

    /** The packed product adds the bias itself; the one-row and few-row kernels take C filled with it. */
    @Override public void matmulBias(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                                     int bCs, float[] bias, float[] c, int cOff, int cRs) {
        if (onGemv(m, bRs, aCs)) {
            Kernels.super.matmulBias(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, bias, c, cOff, cRs);
        } else {
            Gemm.sgemmBias(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, bias, c, cOff, cRs);
        }
    }

    @Override public void matmulBias(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, MemorySegment b, int bOff,
                                     int bRs, int bCs, float[] bias, float[] c, int cOff, int cRs) {
        if (m <= Gemm.SKINNY_ROWS || (bRs == 1 && onGemv(m, bRs, aCs))) { // the shapes matmul does not give to Gemm
            Kernels.super.matmulBias(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, bias, c, cOff, cRs);
        } else {
            Gemm.sgemmBias(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, bias, c, cOff, cRs);
        }
    }

    @Override public void matvecMany(int k, float[] x, int xOff, int xStride, WeightRows... parts) {
        Gemv.many(k, x, xOff, xStride, parts);
    }

    @Override public void matmulSerial(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff,
                                       int bRs, int bCs, float[] c, int cOff, int cRs, boolean accumulate) {
        Gemm.sgemmSerial(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
    }

    @Override public void binary(int op, float[] a, float[] b, float[] out, int from, int to) { Simd.binary(op, a, b, out, from, to); }
    @Override public void gelu(float[] x, float[] out, int from, int to) { Simd.gelu(x, out, from, to); }
    @Override public void geluBackward(float[] x, float[] g, float[] gx, int from, int to) { Simd.geluBackward(x, g, gx, from, to); }
    @Override public void geluTanh(float[] x, float[] out, int from, int to) { Simd.geluTanh(x, out, from, to); }
    @Override public void geluTanhBackward(float[] x, float[] g, float[] gx, int from, int to) {
        Simd.geluTanhBackward(x, g, gx, from, to);
    }

    @Override public float sum(float[] a, int off, int n) { return Simd.sum(a, off, n); }
    @Override public float max(float[] a, int off, int n) { return Simd.max(a, off, n); }
    @Override public float dot(float[] a, int ao, float[] b, int bo, int n) { return Simd.dot(a, ao, b, bo, n); }
    @Override public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) { Simd.axpy(alpha, x, xo, y, yo, n); }
    @Override public void scale(float[] a, int off, float k, int n) { Simd.scale(a, off, k, n); }
    @Override public void addScalar(float[] a, int ao, float k, float[] out, int oo, int n) { Simd.addScalar(a, ao, k, out, oo, n); }

    @Override public float expShiftSum(float[] a, int ao, float shift, float[] out, int oo, int n) {
        return Simd.expShiftSum(a, ao, shift, out, oo, n);
    }
    @Override public void expScaleShift(float[] a, int ao, float k, float shift, float[] out, int oo, int n) {
        Simd.expScaleShift(a, ao, k, shift, out, oo, n);
    }
    @Override public float scaleAddMax(float[] a, int off, int n, float scale, float[] bias, int bo) {
        return Simd.scaleAddMax(a, off, n, scale, bias, bo);
    }
    @Override public void softmaxGrad(float[] p, int po, float[] g, int go, float rowDot, int n) {
        Simd.softmaxGrad(p, po, g, go, rowDot, n);
    }

    @Override public float sumSquaredDeviation(float[] a, int off, int n, float mean) { return Simd.sumSquaredDeviation(a, off, n, mean); }
    @Override public void normalize(float[] x, int off, int n, float mean, float rs, float[] w, float[] b, float[] xhat, float[] y) {
        Simd.normalize(x, off, n, mean, rs, w, b, xhat, y);
    }
    @Override public void layerNormRowBackward(float[] g, float[] xhat, float[] w, int off, int n, float rs, float[] gx) {
        Simd.layerNormRowBackward(g, xhat, w, off, n, rs, gx);
    }
    @Override public void normParamGrads(float[] g, float[] xhat, int rows, int n, int c0, int c1, float[] gw, float[] gb) {
        Simd.normParamGrads(g, xhat, rows, n, c0, c1, gw, gb);
    }
    @Override public void scaleRow(float[] x, int off, int n, float k, float[] w, float[] y) { Simd.scaleRow(x, off, n, k, w, y); }
}
