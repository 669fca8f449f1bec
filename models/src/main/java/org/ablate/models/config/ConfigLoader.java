package org.ablate.models.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.ablate.api.ComponentKind;
import org.ablate.api.Params;
import org.ablate.platform.Suggest;
import org.ablate.platform.ComponentRegistry;

/**
 * Reads JSON or YAML model configs and checks every field against the discovered providers, so that a
 * bad config fails here, with the file, the dotted field and what was expected, before any weight is
 * allocated.
 */
public final class ConfigLoader {
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // bytes after the object: a damaged file
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The model config's top-level fields. */
    public static List<String> fields() { return TOP; }

    /** Top-level keys a config may hold. */
    private static final List<String> TOP = List.of("architecture", "layers", "encoder_layers", "decoder_layers",
            "d_model", "heads", "kv_heads", "d_ff", "vocab_size", "max_positions", "dropout", "tied_embeddings", "bias",
            "block", "norm", "attention", "positional", "feed_forward", "tokenizer", "sampler",
            "type_vocab_size", "scale_embedding", "final_logits_bias", "num_labels", "output_heads");
    /** Keys of the norm block that the model reads itself; the rest go to the norm provider ({@code placement} is the older spelling of {@code block}). */
    private static final List<String> NORM_OWN = List.of("id", "placement", "final", "embedding");
    /** Older spellings of head settings, turned into {@code output_heads} when that is not given. */
    private static final List<String> HEAD_SHORTHANDS = List.of("tied_embeddings", "final_logits_bias", "num_labels");

    private final ComponentRegistry registry;

    public ConfigLoader(ComponentRegistry registry) { this.registry = registry; }

    /** Reads {@code file}: YAML when it ends in .yaml or .yml, JSON otherwise. */
    public ModelConfig load(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot read the file: " + e.getMessage(), e);
        }
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        return parse(name, text, yaml);
    }

    /** Parses {@code text} (JSON, or YAML when {@code yaml}); {@code name} stands for the file in messages. */
    public ModelConfig parse(String name, String text, boolean yaml) {
        JsonNode root;
        try {
            root = (yaml ? YAML : JSON).readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(name, "", "not valid " + (yaml ? "YAML" : "JSON") + where + ": " + ConfigException.oneLine(e.getOriginalMessage()), e);
        }
        return fromTree(name, root);
    }

    /** Builds a config from plain maps and lists, as {@link ModelConfig#toMap()} gives. */
    public ModelConfig fromMap(String name, Map<String, ?> map) {
        return fromTree(name, JSON.valueToTree(map));
    }

    /** Builds a config from a parsed tree (a run spec's {@code model} section); {@code file} names it in messages. */
    public ModelConfig fromTree(String file, JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) throw new ConfigException(file, "", "the config is empty; expected a mapping of fields");
        Fields f = new Fields(file, "", root);
        f.onlyKeys(TOP);

        String archId = f.choice("architecture", Architecture.ids());
        Architecture arch = Architecture.byId(archId);
        int encoderLayers = 0, decoderLayers = 0;
        if (arch == Architecture.ENCODER_DECODER) {
            Integer both = f.optInt("layers", 1);
            encoderLayers = f.has("encoder_layers") || both == null ? f.reqInt("encoder_layers", 1) : both;
            decoderLayers = f.has("decoder_layers") || both == null ? f.reqInt("decoder_layers", 1) : both;
        } else {
            for (String k : List.of("encoder_layers", "decoder_layers")) {
                if (f.has(k)) throw new ConfigException(file, k, "only for encoder-decoder models; a " + archId + " model takes \"layers\"");
            }
            int n = f.reqInt("layers", 1);
            if (arch == Architecture.ENCODER_ONLY) encoderLayers = n; else decoderLayers = n;
        }
        int dModel = f.reqInt("d_model", 1);
        int heads = f.reqInt("heads", 1);
        if (dModel % heads != 0) {
            throw new ConfigException(file, "heads", "must divide d_model " + dModel + " (d_model = heads × head width), got " + heads);
        }
        Integer kv = f.optInt("kv_heads", 1);
        int kvHeads = kv == null ? heads : kv;
        if (heads % kvHeads != 0) {
            throw new ConfigException(file, "kv_heads", "must divide heads " + heads + " (each key/value head serves a whole group of query heads), got " + kvHeads);
        }
        int dFf = f.reqInt("d_ff", 1);

        Component tokenizer = null;
        JsonNode tokNode = f.node("tokenizer");
        if (tokNode != null) tokenizer = component(new Fields(file, "tokenizer", tokNode), ComponentKind.TOKENIZER, List.of("id"));
        Integer vocab = f.optInt("vocab_size", 1);
        if (vocab == null) {
            Object tv = tokenizer == null ? null : tokenizer.raw().get("vocab_size");
            if (!(tv instanceof Number n)) {
                throw new ConfigException(file, "vocab_size", "is required (a positive integer), unless tokenizer.vocab_size gives it");
            }
            vocab = n.intValue();
        }
        int maxPositions = f.optInt("max_positions", 1) == null ? 512 : f.optInt("max_positions", 1);
        double dropout = f.optDouble("dropout", 0.0);
        if (dropout < 0 || dropout >= 1) throw new ConfigException(file, "dropout", "must be in [0, 1), got " + dropout);
        boolean bias = f.optBool("bias", true);

        Fields normFields = f.object("norm");
        Component block;
        if (f.has("block")) {
            block = component(f.object("block"), ComponentKind.BLOCK, List.of("id"));
            if (normFields.has("placement")) {
                throw new ConfigException(file, "norm.placement", "the older spelling of block; give block: {id: pre-norm} or {id: post-norm} only");
            }
        } else {
            String placement = normFields.has("placement") ? normFields.choice("placement", List.of("pre", "post")) : "pre";
            block = component(new Fields(file, "block", JSON.createObjectNode().put("id", placement + "-norm")), ComponentKind.BLOCK, List.of("id"));
        }
        boolean finalNorm = normFields.optBool("final", registry.block(block.id()).finalNormByDefault());
        boolean embeddingNorm = normFields.optBool("embedding", false);
        Component norm = component(normFields, ComponentKind.NORM, NORM_OWN);
        Component attention = component(f.object("attention"), ComponentKind.ATTENTION, List.of("id"));
        if (attention.id().equals("cross")) {
            // "cross" reads an encoder's memory and applies no positional encoding: as self-attention it would
            // silently drop the configured positions. An encoder-decoder decoder adds its cross-attention itself.
            throw new ConfigException(f.file, f.path("attention") + ".id", "\"cross\" is the decoder's attention over the encoder's"
                    + " memory, which encoder-decoder models add by themselves; model.attention is the self-attention: choose "
                    + String.join(", ", registry.ids(ComponentKind.ATTENTION).stream().filter(i -> !i.equals("cross")).toList()));
        }
        Component positional = component(f.object("positional"), ComponentKind.POSITIONAL_ENCODING, List.of("id"));
        Component feedForward = component(f.object("feed_forward"), ComponentKind.FEED_FORWARD, List.of("id"));

        List<Component> sampler = new ArrayList<>();
        JsonNode chain = f.node("sampler");
        if (chain != null) {
            if (chain.isObject()) chain = JSON.createArrayNode().add(chain);
            if (!chain.isArray()) throw new ConfigException(file, "sampler", "expected a list of {id: ..., parameters} steps, got " + kindOf(chain));
            for (int i = 0; i < chain.size(); i++) {
                sampler.add(component(new Fields(file, "sampler." + i, chain.get(i)), ComponentKind.SAMPLER, List.of("id")));
            }
        }
        int typeVocab = f.optInt("type_vocab_size", 0) == null ? 0 : f.optInt("type_vocab_size", 0);
        boolean scale = f.optBool("scale_embedding", false);
        Map<String, Component> outputHeads = new LinkedHashMap<>();
        if (f.has("output_heads")) {
            for (String k : HEAD_SHORTHANDS) {
                if (f.has(k)) throw new ConfigException(file, k, "set it on the head in output_heads instead (e.g. output_heads: {lm_head: {id: lm, tied: true}})");
            }
            Fields hf = f.object("output_heads");
            for (Iterator<String> it = hf.node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!name.matches("[a-z][a-z0-9_]*")) {
                    throw new ConfigException(file, hf.path(name), "a head name is lower-case letters, digits and underscores (it names the head's weights)");
                }
                outputHeads.put(name, component(hf.object(name), ComponentKind.HEAD, List.of("id")));
            }
            if (outputHeads.isEmpty()) throw new ConfigException(file, "output_heads", "names no head; a model needs at least one");
        } else {
            boolean tied = f.optBool("tied_embeddings", true);
            boolean logitsBias = f.optBool("final_logits_bias", false);
            int numLabels = f.optInt("num_labels", 0) == null ? 0 : f.optInt("num_labels", 0);
            if (numLabels > 0 && arch != Architecture.ENCODER_ONLY) {
                throw new ConfigException(file, "num_labels", "a classification head exists only for encoder-only models");
            }
            if (arch != Architecture.ENCODER_ONLY) {
                outputHeads.put("lm_head", defaultHead(file, "lm", Map.of("tied", tied, "bias", logitsBias)));
            } else if (numLabels > 0) {
                if (numLabels < 2) throw new ConfigException(file, "num_labels", "expected an integer ≥ 2 (classes), got " + numLabels);
                outputHeads.put("classifier", defaultHead(file, "classifier", Map.of("labels", numLabels)));
            } else {
                outputHeads.put("mlm_head", defaultHead(file, "masked-lm", Map.of()));
                outputHeads.put("pooler", defaultHead(file, "pooler", Map.of()));
            }
        }
        return new ModelConfig(file, arch, encoderLayers, decoderLayers, dModel, heads, kvHeads, dFf, vocab, maxPositions,
                dropout, bias, block, finalNorm, embeddingNorm, norm, attention, positional, feedForward,
                tokenizer, sampler, typeVocab, scale, outputHeads);
    }

    private Component defaultHead(String file, String id, Map<String, Object> params) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.valueToTree(params);
        n.put("id", id);
        return component(new Fields(file, "output_heads", n), ComponentKind.HEAD, List.of("id"));
    }

    /**
     * A {@code {id: ..., parameters}} mapping at {@code path} of {@code file} as a validated component of {@code kind}
     * (a run spec's tokenizer, data, objective and generation processors are read this way too).
     */
    public Component component(String file, String path, JsonNode node, ComponentKind kind) {
        if (!(node instanceof ObjectNode)) {
            throw new ConfigException(file, path, "expected a mapping with an \"id\" and the " + kind.label() + "'s parameters, got " + kindOf(node));
        }
        return component(new Fields(file, path, node), kind, List.of("id"));
    }

    /** Resolves the block's {@code id} with the registry and validates the other keys (minus {@code own}) as provider parameters. */
    private Component component(Fields f, ComponentKind kind, List<String> own) {
        if (!f.has("id") || !f.node.get("id").isTextual()) {
            throw new ConfigException(f.file, f.path("id"), "is required (a " + kind.label() + " id; known: " + String.join(", ", registry.ids(kind)) + ")");
        }
        String id = f.reqText("id");
        try {
            registry.find(kind, id);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException(f.file, f.path("id"), e.getMessage(), e);
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = f.node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (own.contains(e.getKey())) continue;
            JsonNode v = e.getValue();
            if (v == null || v.isNull()) {
                throw new ConfigException(f.file, f.path(e.getKey()), "is null; give a value, or leave the key out for the default");
            }
            raw.put(e.getKey(), JSON.convertValue(v, Object.class));
        }
        Params params;
        try {
            params = registry.params(kind, id, raw);
        } catch (IllegalArgumentException e) {
            String field = f.prefix;
            String msg = e.getMessage();
            // Point at the parameter itself when the message names one.
            for (String key : raw.keySet()) if (msg.contains("\"" + key + "\"")) { field = f.path(key); break; }
            throw new ConfigException(f.file, field, msg, e);
        }
        return new Component(id, params, raw);
    }

    /** How a value reads in a message: {@code the text "x"}, {@code the integer 3}, {@code a list}, ... */
    public static String kindOf(JsonNode n) {
        if (n == null || n.isMissingNode()) return "nothing";
        if (n.isTextual()) return "the text \"" + n.asText() + "\"";
        if (n.isIntegralNumber()) return "the integer " + n.asText();
        if (n.isNumber()) return "the number " + n.asText();
        if (n.isBoolean()) return n.asText();
        if (n.isArray()) return "a list";
        if (n.isObject()) return "a mapping";
        if (n.isNull()) return "null";
        return n.getNodeType().toString().toLowerCase();
    }

    /** A mapping node read field by field, knowing its file and dotted prefix for messages. */
    private static final class Fields {
        final String file;
        final String prefix;
        final ObjectNode node;

        Fields(String file, String prefix, JsonNode node) {
            this.file = file;
            this.prefix = prefix;
            if (!(node instanceof ObjectNode o)) {
                throw new ConfigException(file, prefix, "expected a mapping of fields, got " + kindOf(node));
            }
            this.node = o;
        }

        String path(String key) { return prefix.isEmpty() ? key : prefix + "." + key; }

        boolean has(String key) { return node.has(key) && !node.get(key).isNull(); }

        JsonNode node(String key) { return has(key) ? node.get(key) : null; }

        void onlyKeys(List<String> known) {
            Set<String> keys = new LinkedHashSet<>();
            node.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (!known.contains(k)) {
                    String hint = Suggest.closest(k, known).map(s -> "; did you mean \"" + s + "\"?").orElse("");
                    throw new ConfigException(file, path(k), "unknown field; expected one of " + String.join(", ", known) + hint);
                }
            }
        }

        Fields object(String key) {
            if (!has(key)) throw new ConfigException(file, path(key), "is required (a mapping with an \"id\" and the part's parameters)");
            return new Fields(file, path(key), node.get(key));
        }

        String reqText(String key) {
            if (!has(key)) throw new ConfigException(file, path(key), "is required (a text)");
            JsonNode v = node.get(key);
            if (!v.isTextual()) throw new ConfigException(file, path(key), "expected a text, got " + kindOf(v));
            return v.asText();
        }

        String choice(String key, List<String> choices) {
            String v = reqText(key);
            if (!choices.contains(v)) {
                String hint = Suggest.closest(v, choices).map(s -> "; did you mean \"" + s + "\"?").orElse("");
                throw new ConfigException(file, path(key), "expected one of " + String.join(", ", choices) + ", got \"" + v + "\"" + hint);
            }
            return v;
        }

        int reqInt(String key, int min) {
            Integer v = optInt(key, min);
            if (v == null) throw new ConfigException(file, path(key), "is required (an integer ≥ " + min + ")");
            return v;
        }

        Integer optInt(String key, int min) {
            if (!has(key)) return null;
            JsonNode v = node.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ConfigException(file, path(key), "expected an integer ≥ " + min + ", got " + kindOf(v));
            }
            if (v.intValue() < min) throw new ConfigException(file, path(key), "expected an integer ≥ " + min + ", got " + v.intValue());
            return v.intValue();
        }

        double optDouble(String key, double dflt) {
            if (!has(key)) return dflt;
            JsonNode v = node.get(key);
            if (!v.isNumber()) throw new ConfigException(file, path(key), "expected a number, got " + kindOf(v));
            return v.doubleValue();
        }

        boolean optBool(String key, boolean dflt) {
            if (!has(key)) return dflt;
            JsonNode v = node.get(key);
            if (!v.isBoolean()) throw new ConfigException(file, path(key), "expected true or false, got " + kindOf(v));
            return v.booleanValue();
        }
    }
}
