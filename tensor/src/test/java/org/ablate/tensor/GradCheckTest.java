package org.ablate.tensor;

import static org.ablate.tensor.GradCheck.check;
import static org.ablate.tensor.GradCheck.positive;
import static org.ablate.tensor.GradCheck.randn;
import static org.ablate.tensor.GradCheck.spread;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks for every differentiable op, with broadcasting and strided (view) inputs. */
class GradCheckTest {

    @Test
    void binaryOpsWithBroadcasting() {
        check("add", t -> t[0].add(t[1]), randn(1, 3, 4), randn(2, 4));
        check("sub", t -> t[0].sub(t[1]), randn(3, 2, 1, 4), randn(4, 3, 1));
        check("mul", t -> t[0].mul(t[1]), randn(5, 3, 4), randn(6, 3, 1));
        check("div", t -> t[0].div(t[1]), randn(7, 2, 3), positive(8, 1, 3));
        check("mulScalar0d", t -> t[0].mul(t[1]), randn(9, 2, 3), randn(10));
    }

    @Test
    void binaryOpsOnStridedViews() {
        check("addTransposed", t -> t[0].transpose(0, 1).add(t[1]), randn(11, 4, 3), randn(12, 3, 4));
        check("mulSliced", t -> t[0].slice(1, 1, 4).mul(t[1].expand(2, 3)), randn(13, 2, 5), randn(14, 1, 3));
        check("divPermuted", t -> t[0].permute(2, 0, 1).div(t[1]), randn(15, 2, 3, 2), positive(16, 2, 1, 3));
    }

    @Test
    void scalarAndUnaryOps() {
        check("addScalar", t -> t[0].add(2f).sub(0.5f).mul(3f).div(4f), randn(20, 2, 3));
        check("pow3", t -> t[0].pow(3f), randn(21, 5));
        check("pow2", t -> t[0].pow(2f), randn(22, 5));
        check("powHalf", t -> t[0].pow(0.5f), positive(23, 5));
        check("exp", t -> t[0].exp(), randn(24, 2, 3));
        check("log", t -> t[0].log(), positive(25, 2, 3));
        check("sqrt", t -> t[0].sqrt(), positive(26, 2, 3));
        check("rsqrt", t -> t[0].rsqrt(), positive(27, 2, 3));
        check("tanh", t -> t[0].tanh(), randn(28, 2, 3));
        check("neg", t -> t[0].neg(), randn(29, 2, 3));
        check("abs", t -> t[0].abs(), spread(30, 2, 3));
        check("sigmoid", t -> t[0].sigmoid(), randn(31, 2, 3));
        check("relu", t -> t[0].relu(), spread(32, 2, 4));
        check("silu", t -> t[0].silu(), randn(33, 2, 4));
        check("gelu", t -> t[0].gelu(), randn(34, 2, 4));
        check("geluTanh", t -> t[0].geluTanh(), randn(35, 2, 4));
        check("geluTransposed", t -> t[0].transpose(0, 1).gelu(), randn(36, 3, 2));
        check("siluSliced", t -> t[0].slice(0, 1, 3).silu(), randn(37, 4, 2));
    }

    @Test
    void whereAndMaskedFill() {
        Tensor cond = Tensor.of(new float[] {1, 0, 0, 1, 1, 0}, 2, 3);
        check("where", t -> Tensor.where(cond, t[0], t[1]), randn(40, 2, 3), randn(41, 1, 3));
        Tensor mask = Tensor.of(new float[] {0, 1, 0}, 3);
        check("maskedFill", t -> t[0].maskedFill(mask, -2f), randn(42, 2, 3));
    }

    @Test
    void reductions() {
        check("sumAll", t -> t[0].sum(), randn(50, 2, 3));
        check("sumDim0", t -> t[0].sum(0, false), randn(51, 2, 3, 2));
        check("sumDim1Keep", t -> t[0].sum(1, true), randn(52, 2, 3, 2));
        check("meanAll", t -> t[0].mean(), randn(53, 2, 3));
        check("meanDimLast", t -> t[0].mean(-1, false), randn(54, 2, 3));
        check("maxDim", t -> t[0].max(1, false), spread(55, 2, 4, 2));
        check("maxDimKeepTransposed", t -> t[0].transpose(0, 1).max(-1, true), spread(56, 4, 3));
        check("sumOfTransposed", t -> t[0].transpose(0, 2).sum(1, false), randn(57, 2, 3, 4));
    }

    @Test
    void views() {
        check("reshape", t -> t[0].reshape(3, -1).mul(t[1]), randn(60, 2, 3), randn(61, 3, 2));
        check("reshapeOfTransposed", t -> t[0].transpose(0, 1).reshape(-1).mul(t[1]), randn(62, 2, 3), randn(63, 6));
        check("permute", t -> t[0].permute(1, 2, 0).mul(t[1]), randn(64, 2, 3, 4), randn(65, 3, 4, 2));
        check("slice", t -> t[0].slice(1, 1, -1).exp(), randn(66, 2, 5));
        check("expand", t -> t[0].expand(2, 3, 4).mul(t[1]), randn(67, 3, 1), randn(68, 2, 3, 4));
        check("unsqueezeSqueeze", t -> t[0].unsqueeze(0).mul(t[1]).squeeze(0), randn(69, 3), randn(70, 1, 2, 3));
        check("contiguous", t -> t[0].transpose(0, 1).contiguous().mul(t[1]), randn(71, 2, 3), randn(72, 3, 2));
        check("splitParts", t -> {
            List<Tensor> parts = t[0].split(2, 1);
            return parts.get(0).mul(parts.get(1)).add(parts.get(2).sum(1, true));
        }, randn(73, 2, 5));
    }

    @Test
    void concatAndStack() {
        check("concat", t -> Tensor.concat(List.of(t[0], t[1].transpose(0, 1), t[0]), 1).tanh(), randn(80, 2, 3), randn(81, 2, 2));
        check("concat0", t -> Tensor.concat(List.of(t[0], t[1]), 0).exp(), randn(82, 1, 3), randn(83, 2, 3));
        check("stack", t -> Tensor.stack(List.of(t[0], t[1], t[0].mul(t[1])), 1), randn(84, 2, 3), randn(85, 2, 3));
    }

    @Test
    void matmulVariants() {
        check("matmul2d", t -> t[0].matmul(t[1]), randn(90, 3, 4), randn(91, 4, 5));
        check("matmulBatchedBroadcast", t -> t[0].matmul(t[1]), randn(92, 2, 1, 3, 4), randn(93, 3, 4, 2));
        check("matmulTransposedRight", t -> t[0].matmul(t[1].transpose(-1, -2)), randn(94, 2, 3, 4), randn(95, 2, 5, 4));
        check("matmulTransposedLeft", t -> t[0].transpose(0, 1).matmul(t[1]), randn(96, 4, 3), randn(97, 4, 2));
        check("matmulBothTransposed", t -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)), randn(98, 4, 3), randn(99, 2, 4));
        check("matmulVecLeft", t -> t[0].matmul(t[1]), randn(100, 4), randn(101, 2, 4, 3));
        check("matmulVecRight", t -> t[0].matmul(t[1]), randn(102, 3, 4), randn(103, 4));
        check("matmulSlicedLeft", t -> t[0].slice(1, 1, 5).matmul(t[1]), randn(104, 3, 6), randn(105, 4, 2));
        check("linear", t -> t[0].linear(t[1], t[2]), randn(106, 2, 3, 4), randn(107, 5, 4), randn(108, 5));
        check("linearNoBias", t -> t[0].transpose(0, 1).linear(t[1], null), randn(109, 4, 2), randn(110, 3, 4));
        // the fused bias path through each kernel: one row (gemv), a few rows (smallM), many rows (packed GEMM)
        check("linearOneRow", t -> t[0].linear(t[1], t[2]), randn(111, 1, 5), randn(112, 7, 5), randn(113, 7));
        check("linearFewRows", t -> t[0].linear(t[1], t[2]), randn(114, 3, 17), randn(115, 5, 17), randn(116, 5));
        check("linearManyRows", t -> t[0].linear(t[1], t[2]), randn(117, 2, 11, 9), randn(118, 19, 9), randn(119, 19));
        check("linearTransposedInput", t -> t[0].transpose(0, 1).linear(t[1], t[2]), randn(90, 6, 18), randn(91, 3, 6),
                randn(92, 3));
    }

    @Test
    void softmaxAndNorms() {
        check("softmaxLast", t -> t[0].softmax(-1), randn(120, 3, 5));
        check("softmaxDim0", t -> t[0].softmax(0), randn(121, 3, 2, 2));
        check("logSoftmaxLast", t -> t[0].logSoftmax(-1), randn(122, 3, 5));
        check("logSoftmaxDim1", t -> t[0].logSoftmax(1), randn(123, 2, 3, 2));
        check("softmaxTransposed", t -> t[0].transpose(0, 1).softmax(-1), randn(124, 4, 3));
        check("layerNorm", t -> t[0].layerNorm(t[1], t[2], 1e-5f), randn(125, 3, 6), randn(126, 6), randn(127, 6));
        check("layerNormNoAffine", t -> t[0].layerNorm(null, null, 1e-5f), randn(128, 2, 5));
        check("layerNormRagged", t -> t[0].layerNorm(t[1], t[2], 1e-5f), randn(122, 3, 37), randn(123, 37), randn(124, 37));
        check("layerNormWeightOnly", t -> t[0].layerNorm(t[1], null, 1e-5f), randn(134, 2, 19), randn(135, 19));
        check("layerNormTransposed", t -> t[0].transpose(0, 1).layerNorm(t[1], null, 1e-5f), randn(129, 5, 3), randn(130, 5));
        check("rmsNorm", t -> t[0].rmsNorm(t[1], 1e-6f), randn(131, 3, 6), randn(132, 6));
        check("rmsNormNoWeightSliced", t -> t[0].slice(1, 0, 4).rmsNorm(null, 1e-6f), randn(133, 3, 6));
    }

    @Test
    void embeddingCrossEntropyDropout() {
        IntTensor ids = IntTensor.of(new int[] {1, 3, 1, 0, 3, 3}, 2, 3);
        check("embedding", t -> Tensor.embedding(t[0], ids), randn(140, 5, 4));
        IntTensor targets = IntTensor.vector(2, -100, 0, 4);
        check("crossEntropy", t -> Tensor.crossEntropy(t[0], targets, -100, 0f), randn(141, 4, 5));
        check("crossEntropySmoothing", t -> Tensor.crossEntropy(t[0], targets, -100, 0.1f), randn(142, 4, 5));
        check("crossEntropyTransposed", t -> Tensor.crossEntropy(t[0].transpose(0, 1), targets, -100, 0.2f), randn(143, 5, 4));
        IntTensor wide = IntTensor.vector(36, 0, -100, 17);
        check("crossEntropyRaggedRows", t -> Tensor.crossEntropy(t[0], wide, -100, 0.1f), randn(145, 4, 37));
        check("dropout", t -> t[0].dropout(0.4f, new SplittableRandom(3), true), randn(144, 3, 5));
    }

    @Test
    void scaledDotProductAttention() {
        IntTensor pad = IntTensor.of(new int[] {1, 1, 0, 1, 1, 1, 1, 0}, 2, 4);
        check("sdpaPlain", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], null, false, null, 0.5f, null),
                randn(150, 2, 2, 3, 4), randn(151, 2, 2, 4, 4), randn(152, 2, 2, 4, 3));
        check("sdpaCausalPadded", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], null, true, pad, 0.5f, null),
                randn(153, 2, 1, 3, 4), randn(154, 2, 1, 4, 4), randn(155, 2, 1, 4, 2));
        check("sdpaBias", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], t[3], false, null, 0.7f, null),
                randn(156, 1, 2, 3, 2), randn(157, 1, 2, 4, 2), randn(158, 1, 2, 4, 2), randn(159, 2, 1, 4));
        check("sdpaStrided", t -> Tensor.scaledDotProductAttention(t[0].permute(0, 2, 1, 3), t[1].permute(0, 2, 1, 3),
                t[2].permute(0, 2, 1, 3), null, true, null, 0.5f, null), randn(160, 1, 3, 2, 4), randn(161, 1, 3, 2, 4), randn(162, 1, 3, 2, 4));
        IntTensor allMaskedRow = IntTensor.of(new int[] {0, 0, 0, 1, 1, 1}, 2, 3);
        check("sdpaFullyMasked", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], null, false, allMaskedRow, 0.5f, null),
                randn(163, 2, 1, 2, 2), randn(164, 2, 1, 3, 2), randn(165, 2, 1, 3, 2));
    }

    @Test
    void scaledDotProductAttentionOverSeveralQueryBlocks() {
        // 70 query rows span two 64-row blocks; 75 keys put the causal diagonal off the corner, and padded keys
        // and a broadcast bias over keys go through the same products
        int lq = 70, lk = 75;
        int[] keep = new int[lk];
        java.util.Arrays.fill(keep, 1);
        keep[3] = 0;
        keep[70] = 0;
        IntTensor pad = IntTensor.of(keep, 1, lk);
        check("sdpaBlocksCausalPadded", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], t[3], true, pad, 0.6f, null),
                randn(180, 1, 1, lq, 3), randn(181, 1, 1, lk, 3), randn(182, 1, 1, lk, 2), randn(183, lk));
        check("sdpaBlocksFull", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], null, false, null, 0.5f, null),
                randn(184, 1, 2, lq, 2), randn(185, 1, 2, 9, 2), randn(186, 1, 2, 9, 3));
    }

    @Test
    void scaledDotProductAttentionOneQueryRow() {
        // a decoding step: one query over cached keys, padded and with a bias
        IntTensor pad = IntTensor.of(new int[] {1, 0, 1, 1, 1, 1, 1, 1, 1, 0}, 2, 5);
        check("sdpaOneQuery", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], t[3], true, pad, 0.5f, null),
                randn(187, 2, 2, 1, 4), randn(188, 2, 2, 5, 4), randn(189, 2, 2, 5, 3), randn(190, 2, 1, 1, 5));
    }

    @Test
    void composedGraphWithReuse() {
        // one input used along several paths: gradients from every path must add up
        check("reuse", t -> t[0].mul(t[0]).add(t[0].exp().sum(1, true)).softmax(-1).mul(t[0].transpose(0, 1).sum(0, false).unsqueeze(1)),
                randn(170, 3, 3));
    }
}
