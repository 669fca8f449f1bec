package org.ablate.models.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGeneratorFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionSpec;
import org.ablate.api.BeamSearch;
import org.ablate.api.ComponentKind;
import org.ablate.api.ConformanceCase;
import org.ablate.api.ConformanceKind;
import org.ablate.api.Encoding;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.generate.Generator;
import org.ablate.models.generate.SamplerChain;
import org.ablate.models.hf.HfModel;
import org.ablate.models.hf.HuggingFace;
import org.ablate.models.hf.WeightMap;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Runs every case folder under a directory by the {@code kind} in its {@code case.json} (the format of
 * the shared conformance data), whatever the case names and sizes. Components come from the registry;
 * a kind this runner does not know fails its case.
 */
public final class ConformanceRunner {
    /** The kinds this runner checks. */
    public static final List<String> KINDS = List.of("op", "sdpa", "mha", "rope", "sinusoidal", "sampler",
            "tokenizer-gpt2", "tokenizer-wordpiece", "hf-causal-lm", "hf-encoder", "hf-masked-lm", "hf-seq2seq");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ComponentRegistry registry;
    private Map<String, ConformanceKind> registered;

    /** Kinds that other modules and plugins check ({@link ConformanceKind}), found once. */
    private Map<String, ConformanceKind> registered() {
        if (registered == null) registered = registry.conformanceKinds();
        return registered;
    }

    /** Every kind this build checks: the runner's own and the registered ones. */
    public List<String> knownKinds() {
        List<String> all = new ArrayList<>(KINDS);
        all.addAll(registered().keySet());
        return all;
    }

    public ConformanceRunner(ComponentRegistry registry) { this.registry = registry; }

    /**
     * One result per case folder (a sub-folder holding case.json), in name order.
     *
     * @throws IOException naming the folder when it is not one, or holds no case at all (a run that checks
     *         nothing must not look like a pass)
     */
    public List<CaseResult> runAll(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder of conformance cases");
        List<CaseResult> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path d : s.sorted().toList()) {
                if (Files.isRegularFile(d.resolve("case.json"))) out.add(run(d));
            }
        }
        if (out.isEmpty()) {
            throw new IOException(dir + ": holds no conformance cases; expected sub-folders each with a case.json"
                    + " (name, kind, tolerance, params) and its io.safetensors, as in shared/conformance");
        }
        return out;
    }

    /** Runs one case folder; never throws for a failing case (the error goes into the result). */
    public CaseResult run(Path caseDir) {
        String name = caseDir.getFileName().toString();
        String kind = "?";
        try {
            JsonNode cj = JSON.readTree(caseDir.resolve("case.json").toFile());
            kind = cj.path("kind").asText("?");
            JsonNode tol = cj.path("tolerance");
            Checks c = new Checks(tol.path("atol").asDouble(0), tol.path("rtol").asDouble(0));
            try (Case k = new Case(caseDir, cj)) {
            switch (kind) {
                case "op" -> op(k, c);
                case "sdpa" -> sdpa(k, c);
                case "mha" -> mha(k, c);
                case "rope" -> rope(k, c);
                case "sinusoidal" -> sinusoidal(k, c);
                case "sampler" -> sampler(k, c);
                case "tokenizer-gpt2" -> tokenizer(k, c, "byte-bpe");
                case "tokenizer-wordpiece" -> tokenizer(k, c, "wordpiece");
                case "hf-causal-lm" -> causalLm(k, c);
                case "hf-encoder" -> encoder(k, c, false);
                case "hf-masked-lm" -> encoder(k, c, true);
                case "hf-seq2seq" -> seq2seq(k, c);
                default -> {
                    ConformanceKind registered = registered().get(kind);
                    if (registered == null) {
                        return new CaseResult(name, kind, false, Double.POSITIVE_INFINITY,
                                "unknown kind \"" + kind + "\"; known: " + String.join(", ", knownKinds()));
                    }
                    registered.check(new RegisteredCase(k, c));
                }
            }
            }
            if (c.compared.isEmpty()) return new CaseResult(name, kind, false, 0, "nothing to compare");
            boolean ok = c.failures.isEmpty();
            String summary = c.compared.size() <= 12 ? String.join(", ", c.compared) : c.compared.size() + " comparisons";
            return new CaseResult(name, kind, ok, c.worst, ok ? summary : String.join("; ", c.failures));
        } catch (Exception | StackOverflowError e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            return new CaseResult(name, kind, false, Double.POSITIVE_INFINITY, msg);
        }
    }

    /** A case folder as a registered {@link ConformanceKind} sees it. */
    @SuppressWarnings("unchecked")
    private record RegisteredCase(Case k, Checks c) implements ConformanceCase {
        @Override public Path folder() { return k.dir; }
        @Override public Map<String, Object> json() { return JSON.convertValue(k.json, Map.class); }
        @Override public Map<String, Object> params() {
            return k.json.has("params") ? JSON.convertValue(k.json.get("params"), Map.class) : Map.of();
        }
        @Override public Object readJson(String file) throws IOException {
            Path p = k.dir.resolve(file);
            if (!p.normalize().startsWith(k.dir.normalize())) throw new IOException(file + ": outside the case folder " + k.dir);
            return JSON.readValue(p.toFile(), Object.class);
        }
        @Override public boolean has(String name) { return k.has(name); }
        @Override public Tensor tensor(String name) throws IOException { return need(name).t(name); }
        @Override public IntTensor ints(String name) throws IOException { return need(name).ints(name); }
        private Case need(String name) throws IOException {
            if (!k.has(name)) throw new IOException(k.dir.resolve("io.safetensors") + ": no tensor \"" + name + "\"");
            return k;
        }
        @Override public void close(String what, Tensor expected, Tensor actual) { c.close(what, expected, actual, null); }
        @Override public void close(String what, double expected, double actual) { c.close(what, expected, actual); }
        @Override public void exact(String what, Object expected, Object actual) { c.exact(what, expected, actual); }
    }

    /** A case folder: its case.json and io.safetensors. */
    private static final class Case implements AutoCloseable {
        final Path dir;
        final JsonNode json;
        final SafetensorsFile io;

        Case(Path dir, JsonNode json) throws IOException {
            this.dir = dir;
            this.json = json;
            this.io = Files.isRegularFile(dir.resolve("io.safetensors")) ? Safetensors.open(dir.resolve("io.safetensors")) : null;
        }

        JsonNode params() { return json.path("params"); }
        boolean has(String t) { return io != null && io.names().contains(t); }
        Tensor t(String t) throws IOException { return io.tensor(t); }
        IntTensor ints(String t) throws IOException { return io.ints(t); }

        @Override public void close() { if (io != null) io.close(); }
    }

    // ---------------------------------------------------------------- ops and attention

    private static Tensor lossOf(Tensor out, Tensor gradOut) { return out.mul(gradOut).sum(); }

    private void op(Case k, Checks c) throws IOException {
        String op = k.params().path("op").asText();
        if (op.equals("cross_entropy")) {
            Tensor logits = k.t("logits").requiresGrad(true);
            Tensor loss = Tensor.crossEntropy(logits, k.ints("target"), k.params().path("ignore_index").asInt(-100),
                    (float) k.params().path("label_smoothing").asDouble(0));
            loss.backward();
            c.close("loss", k.t("loss"), loss.reshape(1), null);
            c.close("grad_logits", k.t("grad_logits"), logits.grad(), null);
            return;
        }
        if (op.equals("embedding")) {
            Tensor w = k.t("weight").requiresGrad(true);
            Tensor y = Tensor.embedding(w, k.ints("x"));
            lossOf(y, k.t("grad_out")).backward();
            c.close("y", k.t("y"), y, null);
            c.close("grad_weight", k.t("grad_weight"), w.grad(), null);
            return;
        }
        Tensor x = k.t("x").requiresGrad(true);
        Tensor w = k.has("weight") ? k.t("weight").requiresGrad(true) : null;
        Tensor b = k.has("bias") ? k.t("bias").requiresGrad(true) : null;
        float eps = (float) k.params().path("eps").asDouble(1e-5);
        Tensor y = switch (op) {
            case "layer_norm" -> x.layerNorm(w, b, eps);
            case "rms_norm" -> x.rmsNorm(w, eps);
            case "gelu" -> x.gelu();
            case "gelu_tanh" -> x.geluTanh();
            case "silu" -> x.silu();
            case "relu" -> x.relu();
            case "softmax" -> x.softmax(-1);
            case "log_softmax" -> x.logSoftmax(-1);
            default -> throw new IllegalArgumentException("op \"" + op + "\" is not known; expected layer_norm, rms_norm, gelu, gelu_tanh, "
                    + "silu, relu, softmax, log_softmax, embedding or cross_entropy");
        };
        lossOf(y, k.t("grad_out")).backward();
        c.close("y", k.t("y"), y, null);
        c.close("grad_x", k.t("grad_x"), x.grad(), null);
        if (k.has("grad_weight")) c.close("grad_weight", k.t("grad_weight"), w == null ? null : w.grad(), null);
        if (k.has("grad_bias")) c.close("grad_bias", k.t("grad_bias"), b == null ? null : b.grad(), null);
    }

    private void sdpa(Case k, Checks c) throws IOException {
        Tensor q = k.t("q").requiresGrad(true), kk = k.t("k").requiresGrad(true), v = k.t("v").requiresGrad(true);
        IntTensor pad = k.has("key_padding_mask") ? k.ints("key_padding_mask") : null;
        Tensor[] probs = new Tensor[1];
        Tensor out = Tensor.scaledDotProductAttention(q, kk, v, null, k.params().path("causal").asBoolean(false), pad,
                (float) (1 / Math.sqrt(q.size(-1))), probs);
        lossOf(out, k.t("grad_out")).backward();
        c.close("out", k.t("out"), out, null);
        c.close("probs", k.t("probs"), probs[0], null);
        c.close("grad_q", k.t("grad_q"), q.grad(), null);
        c.close("grad_k", k.t("grad_k"), kk.grad(), null);
        c.close("grad_v", k.t("grad_v"), v.grad(), null);
    }

    private void mha(Case k, Checks c) throws IOException {
        int e = k.params().path("embed_dim").asInt(), h = k.params().path("num_heads").asInt();
        boolean cross = k.params().path("cross").asBoolean(false);
        ParameterScope scope = ParameterScope.root(0);
        PositionalEncoding none = registry.positional("none").create(new PositionalSpec(e, h, e / h, 1 << 16),
                registry.params(ComponentKind.POSITIONAL_ENCODING, "none", Map.of()), scope.child("pos"));
        Attention attn = registry.attention("multi-head").create(new AttentionSpec(e, h, h, true, 0, cross, none),
                registry.params(ComponentKind.ATTENTION, "multi-head", Map.of()), scope.child("attn"));
        Map<String, Tensor> ps = scope.parameters();
        for (String p : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
            for (String s : List.of("weight", "bias")) copy(k.t(p + "_" + s), ps.get("attn." + p + "." + s));
        }
        attn.captureProbabilities(true);
        Tensor x = k.t("x").requiresGrad(true);
        Tensor mem = cross ? k.t("memory").requiresGrad(true) : x;
        IntTensor pad = k.has("key_padding_mask") ? k.ints("key_padding_mask") : null;
        Tensor out = attn.forward(x, mem, AttentionMask.padding(pad), null);
        lossOf(out, k.t("grad_out")).backward();
        c.close("out", k.t("out"), out, null);
        if (k.has("probs")) c.close("probs", k.t("probs"), attn.capturedProbabilities(), null);
        c.close("grad_x", k.t("grad_x"), x.grad(), null);
        if (cross) c.close("grad_memory", k.t("grad_memory"), mem.grad(), null);
        for (String p : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
            for (String s : List.of("weight", "bias")) {
                String g = "grad_" + p + "_" + s;
                if (k.has(g)) c.close(g, k.t(g), ps.get("attn." + p + "." + s).grad(), null);
            }
        }
    }

    private static void copy(Tensor from, Tensor into) {
        if (!java.util.Arrays.equals(from.shape(), into.shape())) {
            throw new IllegalArgumentException("weight shape " + java.util.Arrays.toString(from.shape()) + " does not fit " + java.util.Arrays.toString(into.shape()));
        }
        float[] src = from.contiguous().toArray();
        System.arraycopy(src, 0, into.data(), into.offset(), src.length);
    }

    private void rope(Case k, Checks c) throws IOException {
        Tensor q = k.t("q"), kk = k.t("k");
        int heads = q.size(1), dim = q.size(3);
        Params p = registry.params(ComponentKind.POSITIONAL_ENCODING, "rope", Map.of("theta", k.params().path("theta").asDouble(10000)));
        IntTensor pos = k.ints("positions"), posOff = k.ints("positions_offset");
        PositionalEncoding rope = registry.positional("rope").create(
                new PositionalSpec(heads * dim, heads, dim, posOff.data()[posOff.numel() - 1] + 1), p, ParameterScope.root(0));
        requireConsecutive("positions", pos);
        requireConsecutive("positions_offset", posOff);
        c.close("q_rot", k.t("q_rot"), rope.rotate(q, pos.data()[0]), null);
        c.close("k_rot", k.t("k_rot"), rope.rotate(kk, pos.data()[0]), null);
        c.close("q_rot_offset", k.t("q_rot_offset"), rope.rotate(q, posOff.data()[0]), null);
        c.close("k_rot_offset", k.t("k_rot_offset"), rope.rotate(kk, posOff.data()[0]), null);
    }

    private static void requireConsecutive(String what, IntTensor p) {
        for (int i = 1; i < p.numel(); i++) {
            if (p.data()[i] != p.data()[0] + i) throw new IllegalArgumentException(what + " must be consecutive (an offset and a length)");
        }
    }

    private void sinusoidal(Case k, Checks c) throws IOException {
        int length = k.params().path("length").asInt(), d = k.params().path("d").asInt();
        Params p = registry.params(ComponentKind.POSITIONAL_ENCODING, "sinusoidal",
                Map.of("base", k.params().path("base").asDouble(10000), "layout", "interleaved"));
        PositionalEncoding pe = registry.positional("sinusoidal").create(new PositionalSpec(d, 1, d, length), p, ParameterScope.root(0));
        Tensor table = pe.embed(Tensor.zeros(1, length, d), 0).reshape(length, d);
        c.close("pe", k.t("pe"), table, null);
    }

    private void sampler(Case k, Checks c) throws IOException {
        Tensor logits = k.t("logits");
        JsonNode p = k.params();
        SamplingContext ctx = new SamplingContext(new int[logits.size(0)][0], RandomGeneratorFactory.of("L64X128MixRandom").create(0));
        if (k.has("greedy")) {
            c.exact("greedy", k.ints("greedy").data(), step("greedy", Map.of()).pick(logits, ctx));
        }
        if (k.has("probs_temperature")) {
            c.close("probs_temperature", k.t("probs_temperature"),
                    step("temperature", Map.of("value", p.path("temperature").asDouble())).process(logits, ctx).softmax(-1), null);
        }
        if (k.has("probs_top_k")) {
            c.close("probs_top_k", k.t("probs_top_k"), step("top-k", Map.of("k", p.path("top_k").asInt())).process(logits, ctx).softmax(-1), null);
        }
        if (k.has("probs_min_p")) {
            c.close("probs_min_p", k.t("probs_min_p"), step("min-p", Map.of("p", p.path("min_p").asDouble())).process(logits, ctx).softmax(-1), null);
        }
        for (JsonNode tp : p.path("top_p")) {
            String name = "probs_top_p_" + tp.asText();
            c.close(name, k.t(name), step("top-p", Map.of("p", tp.asDouble())).process(logits, ctx).softmax(-1), null);
        }
    }

    private SamplerChain greedy() { return SamplerChain.of(registry, List.of(new SamplerChain.Step("greedy", Map.of()))); }

    private Sampler step(String id, Map<String, ?> raw) {
        return registry.sampler(id).create(registry.params(ComponentKind.SAMPLER, id, raw));
    }

    // ---------------------------------------------------------------- tokenizers

    private void tokenizer(Case k, Checks c, String id) throws IOException {
        Map<String, Object> raw = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = k.params().properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            raw.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
        }
        Tokenizer tok = registry.tokenizer(id).load(k.dir, registry.params(ComponentKind.TOKENIZER, id, raw));
        JsonNode cases = JSON.readTree(k.dir.resolve(k.json.path("cases_file").asText("cases.json")).toFile());
        int i = 0;
        for (JsonNode cs : cases) {
            String text = cs.path("text").asText();
            int[] ids = JSON.convertValue(cs.path("ids"), int[].class);
            String label = "case " + i++ + " " + JSON.valueToTree(text);
            if (id.equals("byte-bpe")) {
                int[] got = tok.encode(text);
                c.exact(label + " ids", ids, got);
                c.exact(label + " decode", text, tok.decode(ids));
            } else {
                String pair = cs.hasNonNull("text_pair") ? cs.get("text_pair").asText() : null;
                Encoding enc = tok.encodeForModel(text, pair, true);
                c.exact(label + " ids", ids, enc.ids());
                c.exact(label + " tokens", List.of(JSON.convertValue(cs.path("tokens"), String[].class)), List.of(enc.tokens()));
                c.exact(label + " token_type_ids", JSON.convertValue(cs.path("token_type_ids"), int[].class), enc.typeIds());
            }
        }
    }

    // ---------------------------------------------------------------- Hugging Face models

    private void causalLm(Case k, Checks c) throws IOException {
        HfModel hf = new HuggingFace(registry).load(k.dir);
        Model m = hf.model();
        IntTensor ids = k.ints("input_ids");
        IntTensor mask = k.has("attention_mask") ? k.ints("attention_mask") : null;
        boolean grads = k.io.names().stream().anyMatch(n -> n.startsWith("grad_"));
        Tensor logits;
        if (k.has("labels") && (k.has("loss") || grads)) {
            logits = m.forward(ids, mask, null);
            Tensor loss = shiftedLoss(logits, k.ints("labels"));
            loss.backward();
            if (k.has("loss")) c.close("loss", k.t("loss"), loss.reshape(1), null);
            for (String n : k.io.names()) {
                if (!n.startsWith("grad_")) continue;
                String hfName = n.substring(5);
                WeightMap.Entry e = hf.weights().entries().stream().filter(x -> x.hf().equals(hfName)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no parameter maps to \"" + hfName + "\""));
                c.close(n, k.t(n), WeightMap.toHf(e, p -> m.parameters().get(p).grad()), null);
            }
        } else {
            try (var g = Tensor.noGrad()) { logits = m.forward(ids, mask, null); }
        }
        c.close("logits", k.t("logits"), logits.detach(), mask);
        if (k.has("generated_ids")) {
            int[] prompt = k.ints("prompt_ids").data();
            int maxNew = k.params().path("max_new_tokens").asInt();
            int[] got = Generator.generate(m, prompt, greedy(), maxNew, hf.eos(), 0, null);
            c.exact("generated_ids", k.ints("generated_ids").data(), got);
        }
    }

    /** Hugging Face's causal-LM loss: position t predicts label t+1; labels -100 are ignored. */
    private static Tensor shiftedLoss(Tensor logits, IntTensor labels) {
        int b = logits.size(0), l = logits.size(1), v = logits.size(2);
        int[] targets = new int[b * (l - 1)];
        for (int i = 0; i < b; i++) for (int t = 0; t < l - 1; t++) targets[i * (l - 1) + t] = labels.data()[i * l + t + 1];
        Tensor x = logits.slice(1, 0, l - 1).reshape(b * (l - 1), v);
        return Tensor.crossEntropy(x, IntTensor.of(targets, b * (l - 1)), -100, 0f);
    }

    private void encoder(Case k, Checks c, boolean mlm) throws IOException {
        HfModel hf = new HuggingFace(registry).load(k.dir);
        Model m = hf.model();
        IntTensor ids = k.ints("input_ids");
        IntTensor types = k.has("token_type_ids") ? k.ints("token_type_ids") : null;
        IntTensor mask = k.has("attention_mask") ? k.ints("attention_mask") : null;
        try (var g = Tensor.noGrad()) {
            Tensor h = m.encode(ids, types, mask);
            if (k.has("last_hidden_state")) c.close("last_hidden_state", k.t("last_hidden_state"), h, mask);
            if (mlm || k.has("logits")) c.close("logits", k.t("logits"), m.maskedLmLogits(h), mask);
            if (k.has("pooler_output")) c.close("pooler_output", k.t("pooler_output"), m.pooled(h), null);
            if (k.has("sentence_embedding")) c.close("sentence_embedding", k.t("sentence_embedding"), meanPooled(h, mask), null);
        }
    }

    /** L2-normalised mean of {@code h [B, L, E]} over positions whose mask is 1. */
    static Tensor meanPooled(Tensor h, IntTensor mask) {
        int b = h.size(0), l = h.size(1);
        float[] w = new float[b * l];
        for (int i = 0; i < w.length; i++) w[i] = mask == null ? 1 : mask.data()[i];
        Tensor mw = Tensor.of(w, b, l, 1);
        Tensor mean = h.mul(mw).sum(1, false).div(mw.sum(1, false));
        return mean.div(mean.mul(mean).sum(-1, true).sqrt().add(1e-12f));
    }

    private void seq2seq(Case k, Checks c) throws IOException {
        HfModel hf = new HuggingFace(registry).load(k.dir);
        Model m = hf.model();
        IntTensor src = k.ints("input_ids");
        IntTensor mask = k.has("attention_mask") ? k.ints("attention_mask") : null;
        try (var g = Tensor.noGrad()) {
            Tensor memory = m.encode(src, null, mask);
            Tensor logits = m.logits(m.decode(k.ints("decoder_input_ids"), null, memory, mask, null));
            c.close("logits", k.t("logits"), logits, null);
        }
        int[] row0 = src.row(0);
        if (mask != null) {
            int n = 0;
            for (int v : mask.row(0)) n += v;
            row0 = java.util.Arrays.copyOf(row0, n);
        }
        int maxNew = k.params().path("max_new_tokens").asInt();
        if (k.has("generated_greedy")) {
            c.exact("generated_greedy", k.ints("generated_greedy").data(),
                    Generator.generateSeq2seq(m, row0, hf.decoderStart(), greedy(), maxNew, hf.eos(), 0, null));
        }
        for (String n : k.io.names()) {
            if (!n.startsWith("generated_beam")) continue;
            Map<String, Object> raw = Map.of("beams", k.params().path("num_beams").asInt(Integer.parseInt(n.substring("generated_beam".length()))),
                    "length_penalty", k.params().path("length_penalty").asDouble(1.0),
                    "early_stopping", k.params().path("early_stopping").asBoolean(false));
            Sampler s = step("beam-search", raw);
            if (!(s instanceof BeamSearch bs)) throw new IllegalStateException("the beam-search sampler does not implement BeamSearch");
            c.exact(n, k.ints(n).data(), Generator.beamSeq2seq(m, bs, row0, hf.decoderStart(), maxNew, hf.eos()).tokens());
        }
    }
}
