package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every op_*, sdpa_* and mha_* conformance case: forward outputs and every listed gradient. */
class ConformanceTest {

    @TestFactory
    Stream<DynamicTest> opCases() throws IOException {
        return Conformance.cases("op_").stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> runOp(p)));
    }

    @TestFactory
    Stream<DynamicTest> sdpaCases() throws IOException {
        return Conformance.cases("sdpa_").stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> runSdpa(p)));
    }

    @TestFactory
    Stream<DynamicTest> mhaCases() throws IOException {
        return Conformance.cases("mha_").stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> runMha(p)));
    }

    private static void runOp(Path dir) throws IOException {
        Conformance.Case c = Conformance.load(dir);
        String op = c.param("op").asText();
        if (op.equals("cross_entropy")) {
            Tensor logits = c.t("logits").requiresGrad(true);
            Tensor loss = Tensor.crossEntropy(logits, c.ints("target"), c.param("ignore_index").asInt(-100),
                    (float) c.param("label_smoothing").asDouble(0));
            c.check("loss", loss);
            loss.backward();
            c.check("grad_logits", logits.grad());
            Conformance.assertAllGradientsChecked(c);
            return;
        }
        if (op.equals("embedding")) {
            Tensor w = c.t("weight").requiresGrad(true);
            Tensor y = Tensor.embedding(w, c.ints("x"));
            c.check("y", y);
            y.mul(c.t("grad_out")).sum().backward();
            c.check("grad_weight", w.grad());
            Conformance.assertAllGradientsChecked(c);
            return;
        }
        Tensor x = c.t("x").requiresGrad(true);
        Tensor w = c.has("weight") ? c.t("weight").requiresGrad(true) : null;
        Tensor b = c.has("bias") ? c.t("bias").requiresGrad(true) : null;
        float eps = (float) c.param("eps").asDouble(1e-5);
        Tensor y = switch (op) {
            case "layer_norm" -> x.layerNorm(w, b, eps);
            case "rms_norm" -> x.rmsNorm(w, eps);
            case "gelu" -> x.gelu();
            case "gelu_tanh" -> x.geluTanh();
            case "silu" -> x.silu();
            case "relu" -> x.relu();
            case "softmax" -> x.softmax(c.param("dim").asInt(-1));
            case "log_softmax" -> x.logSoftmax(c.param("dim").asInt(-1));
            default -> throw new AssertionError(c.name() + ": unknown op " + op);
        };
        c.check("y", y);
        y.mul(c.t("grad_out")).sum().backward();
        c.check("grad_x", x.grad());
        if (c.has("grad_weight")) c.check("grad_weight", w.grad());
        if (c.has("grad_bias")) c.check("grad_bias", b.grad());
        Conformance.assertAllGradientsChecked(c);
    }

    private static void runSdpa(Path dir) throws IOException {
        Conformance.Case c = Conformance.load(dir);
        Tensor q = c.t("q").requiresGrad(true), k = c.t("k").requiresGrad(true), v = c.t("v").requiresGrad(true);
        IntTensor pad = c.has("key_padding_mask") ? c.ints("key_padding_mask") : null;
        Tensor[] probs = new Tensor[1];
        Tensor out = Tensor.scaledDotProductAttention(q, k, v, null, c.param("causal").asBoolean(false), pad,
                (float) (1.0 / Math.sqrt(q.size(-1))), probs);
        c.check("out", out);
        c.check("probs", probs[0]);
        out.mul(c.t("grad_out")).sum().backward();
        c.check("grad_q", q.grad());
        c.check("grad_k", k.grad());
        c.check("grad_v", v.grad());
        Conformance.assertAllGradientsChecked(c);
    }

    private static void runMha(Path dir) throws IOException {
        Conformance.Case c = Conformance.load(dir);
        int e = c.param("embed_dim").asInt(), h = c.param("num_heads").asInt();
        boolean cross = c.param("cross").asBoolean(false);
        Tensor x = c.t("x").requiresGrad(true);
        Tensor mem = cross ? c.t("memory").requiresGrad(true) : x;
        List<String> names = new ArrayList<>();
        for (String p : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
            names.add(p + "_weight");
            names.add(p + "_bias");
        }
        java.util.Map<String, Tensor> params = new java.util.HashMap<>();
        for (String n : names) params.put(n, c.t(n).requiresGrad(true));
        int bsz = x.size(0), lq = x.size(1), lk = mem.size(1), d = e / h;
        Tensor q = heads(x.linear(params.get("q_proj_weight"), params.get("q_proj_bias")), bsz, lq, h, d);
        Tensor k = heads(mem.linear(params.get("k_proj_weight"), params.get("k_proj_bias")), bsz, lk, h, d);
        Tensor v = heads(mem.linear(params.get("v_proj_weight"), params.get("v_proj_bias")), bsz, lk, h, d);
        IntTensor pad = c.has("key_padding_mask") ? c.ints("key_padding_mask") : null;
        Tensor[] probs = new Tensor[1];
        Tensor att = Tensor.scaledDotProductAttention(q, k, v, null, false, pad, (float) (1.0 / Math.sqrt(d)), probs);
        Tensor out = att.permute(0, 2, 1, 3).reshape(bsz, lq, e).linear(params.get("out_proj_weight"), params.get("out_proj_bias"));
        c.check("out", out);
        c.check("probs", probs[0]);
        out.mul(c.t("grad_out")).sum().backward();
        c.check("grad_x", x.grad());
        if (cross) c.check("grad_memory", mem.grad());
        int checked = 0;
        for (String n : names) {
            if (c.has("grad_" + n)) {
                c.check("grad_" + n, params.get(n).grad());
                checked++;
            }
        }
        assertEquals(names.size(), checked, c.name() + ": every projection gradient is listed");
        Conformance.assertAllGradientsChecked(c);
        assertFalse(x.grad() == null, c.name() + ": x received a gradient");
    }

    private static Tensor heads(Tensor y, int b, int l, int h, int d) {
        return y.reshape(b, l, h, d).permute(0, 2, 1, 3);
    }

}
