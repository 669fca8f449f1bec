package org.ablate.models.hf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.tensor.io.DType;
import org.ablate.tensor.io.Safetensors;
import org.ablate.tensor.io.SafetensorsFile;
import org.ablate.tensor.Tensor;

/**
 * Reads and writes Hugging Face checkpoints (a folder with {@code config.json} and {@code model.safetensors}
 * or a sharded {@code model.safetensors.index.json}) through the {@link HfFamily} of their
 * {@code model_type}: GPT-2, LLaMA, GPT-NeoX, BERT and Marian.
 *
 * <p>An export is faithful or refused: the family's {@code config.json} is read back into an Ablate config,
 * which must equal the model's own in every part that decides the weights and the numbers (all but the
 * tokenizer, sampler and dropout), and every parameter must have a tensor; otherwise the export names the
 * config fields no family holds and what each family considered would need instead.
 */
public final class HuggingFace {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The families, in the order an export tries them (the first that holds the model is used). */
    public static final List<HfFamily> FAMILIES = List.of(new Gpt2Family(), new LlamaFamily(), new GptNeoXFamily(),
            new BertFamily(), new MarianFamily());

    private final ComponentRegistry registry;

    public HuggingFace(ComponentRegistry registry) { this.registry = registry; }

    /** The family of {@code model_type}, or {@code null}. */
    public static HfFamily family(String modelType) {
        for (HfFamily f : FAMILIES) if (f.modelType().equals(modelType)) return f;
        return null;
    }

    private static String familyNames() {
        return FAMILIES.stream().map(HfFamily::modelType).collect(Collectors.joining(", "));
    }

    /** Reads the checkpoint in {@code dir}. */
    public HfModel load(Path dir) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new IOException(dir + ": no config.json (expected a Hugging Face checkpoint folder)");
        JsonNode hf = JSON.readTree(configFile.toFile());
        String type = hf.path("model_type").asText("");
        // An unsupported model_type is the first thing to say, before any weight file is looked for.
        HfFamily family = family(type);
        if (family == null) throw new IOException(configFile + ": model_type \"" + type + "\" is not supported; expected one of " + familyNames());
        try (Weights weights = Weights.open(dir)) {
            return load(dir, configFile, hf, family, weights);
        }
    }

    /** {@link #load(Path)} through a given family (package-private: tests give it a family whose mapping misses a part). */
    HfModel load(Path dir, Path configFile, JsonNode hf, HfFamily family, Weights weights) throws IOException {
        HfFamily.Mapping m = family.read(hf, weights::has);
        ModelConfig config = new ConfigLoader(registry).fromMap(configFile.toString(), m.config());
        // Every parameter is read from the checkpoint (checked below), so none is initialised first.
        Model model = new ModelBuilder(registry).buildForLoading(config);
        Map<String, Tensor> params = model.parameters();
        Set<String> used = new LinkedHashSet<>(), filled = new LinkedHashSet<>();
        for (WeightMap.Entry e : m.weights().entries()) {
            if (!weights.has(e.hf())) {
                throw new IOException(dir + ": the checkpoint has no tensor \"" + e.hf() + "\" (needed for " + String.join(", ", e.ours()) + ")");
            }
            used.add(e.hf());
            if (!useInPlace(e, weights, params)) {
                Tensor source = weights.get(e.hf());
                List<Tensor> parts = WeightMap.fromHf(e, source, n -> shapeOf(params, n));
                for (int i = 0; i < parts.size(); i++) copyInto(e.hf(), params.get(e.ours().get(i)), parts.get(i), e.ours().get(i));
            }
            filled.addAll(e.ours());
        }
        for (String p : params.keySet()) {
            if (!filled.contains(p)) {
                throw new IOException(dir + ": nothing in the checkpoint fills the model's parameter \"" + p + "\" (the "
                        + family.modelType() + " mapping has no entry for it)");
            }
        }
        for (String n : weights.names()) {
            if (!used.contains(n) && IGNORED.stream().noneMatch(n::endsWith)) {
                throw new IOException(dir + ": tensor \"" + n + "\" has no place in the " + family.modelType() + " model");
            }
        }
        return new HfModel(family.modelType(), model, m.weights(), intOr(hf, "eos_token_id", -1), intOr(hf, "pad_token_id", -1),
                intOr(hf, "decoder_start_token_id", -1));
    }

    /**
     * How a model is written: the family that holds it, its {@code config.json} and its tensor names.
     *
     * @param family  the family
     * @param config  the {@code config.json} (without special token ids)
     * @param weights the tensor names of the checkpoint
     */
    public record ExportPlan(HfFamily family, Map<String, Object> config, WeightMap weights) {}

    /**
     * The first family that holds {@code model} exactly.
     *
     * @throws IllegalArgumentException one line naming the model config fields ({@code model.positional.id =
     *                                  sinusoidal}) that no family holds, and what each family considered needs
     */
    public ExportPlan plan(Model model) {
        ModelConfig cfg = model.config();
        Set<String> params = model.parameters().keySet();
        Map<String, Object> ours = comparable(cfg.toMap());
        Map<String, List<Mismatch>> why = new LinkedHashMap<>();
        for (HfFamily f : FAMILIES) {
            if (f.architecture() != cfg.architecture()) continue;
            List<Mismatch> diffs = new ArrayList<>();
            try {
                Map<String, Object> hf = f.write(cfg);
                JsonNode node = JSON.valueToTree(hf);
                // Parts a family holds only when present (BERT's pooler, MLM head) are written when the model has them.
                Set<String> present = new LinkedHashSet<>();
                for (WeightMap.Entry e : f.read(node, n -> true).weights().entries()) {
                    if (params.containsAll(e.ours())) present.add(e.hf());
                }
                HfFamily.Mapping m = f.read(node, present::contains);
                Map<String, Object> back = comparable(new ConfigLoader(registry).fromMap("exported config.json", m.config()).toMap());
                diff("model", ours, back, diffs);
                if (diffs.isEmpty()) {
                    Set<String> mapped = new LinkedHashSet<>();
                    for (WeightMap.Entry e : m.weights().entries()) mapped.addAll(e.ours());
                    for (String p : params) if (!mapped.contains(p)) diffs.add(new Mismatch("parameter " + p, "present", "no tensor for it"));
                }
                if (diffs.isEmpty()) return new ExportPlan(f, hf, m.weights());
            } catch (IllegalArgumentException e) {
                diffs.add(new Mismatch(null, null, e.getMessage()));
            }
            why.put(f.modelType(), diffs);
        }
        throw new IllegalArgumentException(refusal(cfg, why));
    }

    /**
     * Writes {@code model} as a Hugging Face checkpoint ({@code config.json} + {@code model.safetensors}) in
     * {@code dir}, in the first family that holds it exactly.
     *
     * @param eos          end-of-sequence id to record, or -1
     * @param pad          padding id to record, or -1
     * @param decoderStart first decoder token (encoder-decoder), or -1
     * @throws IllegalArgumentException naming the parts no family holds (see {@link #plan}); nothing is written then
     */
    public void export(Model model, Path dir, int eos, int pad, int decoderStart) throws IOException {
        write(plan(model), model, dir, eos, pad, decoderStart);
    }

    /** Writes {@code model} as {@code plan} says (see {@link #export}). */
    public void write(ExportPlan plan, Model model, Path dir, int eos, int pad, int decoderStart) throws IOException {
        Map<String, Object> hf = new LinkedHashMap<>(plan.config());
        if (eos >= 0) hf.put("eos_token_id", eos);
        if (pad >= 0) hf.put("pad_token_id", pad);
        if (decoderStart >= 0) hf.put("decoder_start_token_id", decoderStart);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Tensor> params = model.parameters();
        for (WeightMap.Entry e : plan.weights().entries()) tensors.put(e.hf(), WeightMap.toHf(e, params::get));
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        Path tmp = Files.createTempFile(dir, "config.json", ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), hf);
        Files.move(tmp, dir.resolve("config.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** A config field whose value a family cannot hold: {@code path} (null for a refusal of the family as a whole). */
    private record Mismatch(String path, Object ours, Object needed) {}

    /** Differences of two config maps, by dotted path; a component whose id differs is one difference (its id). */
    private static void diff(String path, Map<?, ?> ours, Map<?, ?> theirs, List<Mismatch> out) {
        if (ours.containsKey("id") && !Objects.equals(ours.get("id"), theirs.get("id"))) {
            out.add(new Mismatch(path + ".id", ours.get("id"), theirs.get("id")));
            return;
        }
        Set<Object> keys = new LinkedHashSet<>(ours.keySet());
        keys.addAll(theirs.keySet());
        for (Object k : keys) {
            Object a = ours.get(k), b = theirs.get(k);
            String p = path + "." + k;
            if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) diff(p, ma, mb, out);
            else if (!Objects.equals(a, b)) out.add(new Mismatch(p, a, b));
        }
    }

    private static String refusal(ModelConfig cfg, Map<String, List<Mismatch>> why) {
        String arch = cfg.architecture().id();
        if (why.isEmpty()) return "no Hugging Face family holds " + arch + " models (families: " + familyNames() + ")";
        // The fields every family considered differs at are the parts with no equivalent at all.
        Set<String> common = null;
        for (List<Mismatch> l : why.values()) {
            Set<String> paths = new LinkedHashSet<>();
            for (Mismatch m : l) if (m.path() != null) paths.add(m.path());
            if (common == null) common = paths; else common.retainAll(paths);
        }
        StringBuilder sb = new StringBuilder();
        if (!common.isEmpty()) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Mismatch m : why.values().iterator().next()) if (common.contains(m.path())) values.put(m.path(), m.ours());
            sb.append(values.entrySet().stream().map(e -> e.getKey() + " = " + show(e.getValue())).collect(Collectors.joining(", ")))
                    .append(common.size() == 1 ? " has" : " have").append(" no equivalent in any Hugging Face family of ").append(arch)
                    .append(" models; considered ");
            List<String> each = new ArrayList<>();
            why.forEach((type, l) -> each.add(type + " (needs " + l.stream().filter(m -> inCommon(m, values))
                    .map(m -> m.path().substring(m.path().indexOf('.') + 1) + " = " + show(m.needed())).collect(Collectors.joining(", ")) + ")"));
            sb.append(String.join(", ", each));
        } else {
            sb.append("no Hugging Face family holds this ").append(arch).append(" model as a whole; considered ");
            List<String> each = new ArrayList<>();
            why.forEach((type, l) -> each.add(type + " (" + l.stream().map(HuggingFace::describe).collect(Collectors.joining("; ")) + ")"));
            sb.append(String.join(", ", each));
        }
        return sb.toString();
    }

    private static boolean inCommon(Mismatch m, Map<String, Object> values) { return m.path() != null && values.containsKey(m.path()); }

    private static String describe(Mismatch m) {
        if (m.path() == null) return String.valueOf(m.needed());
        return m.path() + " = " + show(m.ours()) + ", needs " + show(m.needed());
    }

    private static String show(Object v) { return v == null ? "(none)" : String.valueOf(v); }

    /** The parts of a config that decide the architecture and weights (not sampling, tokenizer or dropout). */
    private static Map<String, Object> comparable(Map<String, Object> config) {
        Map<String, Object> m = new LinkedHashMap<>(config);
        m.remove("sampler");
        m.remove("tokenizer");
        m.remove("dropout");
        // multi-head is grouped-query with kv_heads = heads: the same weights and numbers.
        if (m.get("attention") instanceof Map<?, ?> a && "multi-head".equals(a.get("id"))) m.put("attention", Map.of("id", "grouped-query", "kv_heads", 0));
        return m;
    }

    /** Buffers some checkpoints carry that are not weights. */
    private static final List<String> IGNORED = List.of(".attn.bias", ".attn.masked_bias", "embeddings.position_ids",
            ".attention.bias", ".attention.masked_bias", ".rotary_emb.inv_freq");

    private static int[] shapeOf(Map<String, Tensor> params, String name) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalStateException("no parameter \"" + name + "\" in the assembled model; has " + params.keySet());
        return t.shape();
    }

    /**
     * Lets the parameters of {@code e} read their elements in place from the file when the HF tensor holds them as
     * they lie, one after another (F32, not transposed, not interleaved by head: the same tensor, a reshape, or a
     * fused one split by rows); returns false, having done nothing, for the others, which are copied.
     */
    private static boolean useInPlace(WeightMap.Entry e, Weights weights, Map<String, Tensor> params) throws IOException {
        if (e.transposed() || e.groups() > 0 || !weights.isF32(e.hf())) return false;
        int[] hfShape = weights.shape(e.hf());
        long hfElements = 1, rows = 0, elements = 0;
        for (int d : hfShape) hfElements *= d;
        for (String n : e.ours()) {
            if (params.get(n) == null) return false; // the copying path names it
            int[] ours = params.get(n).shape();
            boolean fits = e.hfShape() != null // a reshape: the same elements in the same order
                    || (ours.length == hfShape.length && java.util.Arrays.equals(ours, 1, ours.length, hfShape, 1, hfShape.length));
            if (!fits) return false; // the copying path names the mismatch
            rows += ours[0];
            elements += params.get(n).numel();
        }
        if (elements != hfElements || (e.hfShape() == null && rows != hfShape[0])) return false;
        MemorySegment region = weights.mapped(e.hf());
        long at = 0;
        try {
            for (String n : e.ours()) {
                long bytes = (long) Float.BYTES * params.get(n).numel();
                params.get(n).useMapped(region.asSlice(at, bytes));
                at += bytes;
            }
        } catch (IllegalStateException alreadyCopied) { // a weight two entries fill, the other one copied: copy this too
            return false;
        }
        return true;
    }

    private static void copyInto(String hfName, Tensor param, Tensor value, String ours) {
        if (!java.util.Arrays.equals(param.shape(), value.shape())) {
            throw new IllegalArgumentException("\"" + hfName + "\" gives " + ours + " the shape " + java.util.Arrays.toString(value.shape())
                    + ", expected " + java.util.Arrays.toString(param.shape()));
        }
        float[] src = value.contiguous().toArray();
        System.arraycopy(src, 0, param.data(), param.offset(), src.length);
    }

    private static int intOr(JsonNode n, String key, int dflt) {
        JsonNode v = n.path(key);
        return v.isIntegralNumber() ? v.intValue() : dflt;
    }

    /** The tensors of a checkpoint, from one file or the shards an index names. */
    static final class Weights implements AutoCloseable {
        private final Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        private final List<SafetensorsFile> files = new ArrayList<>();

        static Weights open(Path dir) throws IOException {
            Weights w = new Weights();
            Path single = dir.resolve("model.safetensors"), index = dir.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(single)) {
                SafetensorsFile f = Safetensors.openInPlace(single);
                w.files.add(f);
                for (String n : f.names()) w.byName.put(n, f);
            } else if (Files.isRegularFile(index)) {
                JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
                if (!map.isObject()) throw new IOException(index + ": no \"weight_map\" object");
                Map<String, SafetensorsFile> shards = new HashMap<>();
                for (var it = map.properties().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    String shard = e.getValue().asText();
                    SafetensorsFile f = shards.get(shard);
                    if (f == null) { f = Safetensors.openInPlace(dir.resolve(shard)); shards.put(shard, f); w.files.add(f); }
                    if (!f.names().contains(e.getKey())) throw new IOException(dir.resolve(shard) + ": the index places \"" + e.getKey() + "\" here, but it is absent");
                    w.byName.put(e.getKey(), f);
                }
            } else {
                throw new IOException(dir + ": neither model.safetensors nor model.safetensors.index.json");
            }
            return w;
        }

        boolean has(String name) { return byName.containsKey(name); }

        Set<String> names() { return byName.keySet(); }

        Tensor get(String name) throws IOException { return byName.get(name).tensor(name); }

        boolean isF32(String name) throws IOException { return byName.get(name).info(name).dtype() == DType.F32; }

        int[] shape(String name) throws IOException { return byName.get(name).info(name).intShape(); }

        /** The tensor's bytes in the mapped file (F32 only), checked for NaN and infinities. */
        MemorySegment mapped(String name) throws IOException { return byName.get(name).mapped(name); }

        @Override public void close() { files.forEach(SafetensorsFile::close); }
    }
}
