package org.ablate.run;

import static org.ablate.models.config.ConfigLoader.kindOf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.ablate.api.ComponentKind;
import org.ablate.api.ParamSpec;
import org.ablate.models.config.Component;
import org.ablate.models.config.ConfigException;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.platform.ComponentRegistry;
import org.ablate.platform.Suggest;

/**
 * Reads run specs: a YAML or JSON file with the sections {@code model}, {@code tokenizer}, {@code data},
 * {@code objective}, {@code optim}, {@code schedule}, {@code run} and {@code generation}; {@code extends:}
 * names a preset file whose sections this one overrides (mappings merge key by key, lists are
 * replaced, and a part naming another {@code id} replaces the preset's part whole); {@code --set path=value} overrides any knob after that. A bare model config (the older
 * format, with {@code architecture} at the top) is read as the {@code model} section, its
 * {@code tokenizer} and {@code sampler} moved to their sections. Every id and parameter is checked here,
 * once, with the file and dotted path in each message.
 */
public final class SpecLoader {
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** The sections, in the order they are written. */
    public static final List<String> SECTIONS = List.of("model", "tokenizer", "data", "objective", "optim", "schedule", "run", "generation");

    private static final Map<String, List<String>> FIXED = Map.of(
            "optim", List.of("id", "lr", "betas", "eps", "momentum", "weight_decay", "clip", "freeze", "no_decay", "lr_multipliers"),
            "schedule", List.of("id", "warmup", "min_lr"),
            "run", List.of("steps", "batch_size", "context", "seed", "eval_every", "eval_batches", "checkpoint_every", "eval_contexts"),
            "generation", List.of("strategy", "processors", "max_new_tokens", "beams", "length_penalty", "early_stopping", "prompts"));

    /** The defaults of the sections with fixed keys; they suit a small model on a laptop CPU. */
    static final String DEFAULTS = """
            objective: {id: next-token}
            optim: {id: adamw, lr: 3.0e-3, betas: [0.9, 0.95], eps: 1.0e-8, momentum: 0.0, weight_decay: 0.1, clip: 1.0,
                    freeze: [], no_decay: ["*.bias", "*norm*", "embed_*"], lr_multipliers: {}}
            schedule: {id: warmup-cosine, warmup: 30, min_lr: 3.0e-4}
            run: {steps: 300, batch_size: 16, context: 128, seed: 0, eval_every: 100, eval_batches: 8, checkpoint_every: 100, eval_contexts: []}
            generation: {strategy: sample, processors: [], max_new_tokens: 200, beams: 4, length_penalty: 1.0, early_stopping: false, prompts: []}
            """;

    private final ComponentRegistry registry;
    private final ConfigLoader configs;

    public SpecLoader(ComponentRegistry registry) {
        this.registry = registry;
        this.configs = new ConfigLoader(registry);
    }

    /** Reads {@code file} (YAML for .yaml/.yml, else JSON), then applies {@code overrides} ({@code path=value}). */
    public RunSpec load(Path file, List<String> overrides) {
        ObjectNode tree = readWithExtends(file, new LinkedHashSet<>());
        Path base = file.toAbsolutePath().getParent();
        return resolve(file.toString(), base, tree, overrides);
    }

    /** Parses spec text; {@code name} stands for the file in messages, {@code base} resolves relative paths. */
    public RunSpec parse(String name, String text, boolean yaml, Path base, List<String> overrides) {
        ObjectNode tree = read(name, text, yaml);
        if (tree.has("extends")) {
            if (base == null) throw new ConfigException(name, "extends", "an embedded spec cannot extend a file");
            tree = extend(name, tree, base, new LinkedHashSet<>());
        }
        return resolve(name, base, tree, overrides);
    }

    private ObjectNode readWithExtends(Path file, Set<Path> seen) {
        Path abs = file.toAbsolutePath().normalize();
        if (!seen.add(abs)) throw new ConfigException(file.toString(), "extends", "presets extend each other in a cycle: " + seen);
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", "cannot read the spec: " + e.getMessage(), e);
        }
        String n = file.toString();
        ObjectNode tree = read(n, text, n.endsWith(".yaml") || n.endsWith(".yml"));
        return tree.has("extends") ? extend(n, tree, abs.getParent(), seen) : tree;
    }

    private ObjectNode extend(String name, ObjectNode tree, Path base, Set<Path> seen) {
        JsonNode ext = tree.remove("extends");
        if (!ext.isTextual()) throw new ConfigException(name, "extends", "expected the path of a preset spec, got " + kindOf(ext));
        Path preset = base.resolve(ext.asText());
        if (!Files.isRegularFile(preset)) throw new ConfigException(name, "extends", "no such preset file: " + preset);
        ObjectNode parent = readWithExtends(preset, seen);
        migrate(preset.toString(), parent);
        Path presetDir = preset.toAbsolutePath().normalize().getParent();
        if (parent.get("data") instanceof ObjectNode d && !d.has("id")) anchorPaths(d, presetDir, "text-windows"); // the default source
        anchorPaths(parent, presetDir, null);
        migrate(name, tree);
        merge(parent, tree);
        return parent;
    }

    /**
     * Makes a preset's relative file parameters (those its providers declare as paths, e.g. data.path) absolute
     * from the preset's own folder, so that they keep meaning the same file in a spec that extends it from elsewhere.
     */
    private void anchorPaths(JsonNode node, Path presetDir, String impliedId) {
        String id = node instanceof ObjectNode o && o.get("id") instanceof JsonNode i && i.isTextual() ? i.asText() : impliedId;
        if (node instanceof ObjectNode o && id != null) {
            for (var reg : registry.all()) {
                if (!reg.id().equals(id)) continue;
                for (ParamSpec p : reg.provider().parameters()) {
                    JsonNode v = o.get(p.name());
                    if (p.type() == ParamSpec.Type.PATH && v != null && v.isTextual() && !v.asText().isEmpty()
                            && !Path.of(v.asText()).isAbsolute()) {
                        o.put(p.name(), presetDir.resolve(v.asText()).normalize().toString());
                    }
                }
            }
        }
        if (impliedId == null && node.isContainerNode()) for (JsonNode child : node) anchorPaths(child, presetDir, null);
    }

    /** One document, a mapping; duplicate keys and further documents refused. */
    static ObjectNode read(String name, String text, boolean yaml) {
        ObjectMapper m = yaml ? YAML : JSON;
        try (JsonParser p = m.getFactory().createParser(text)) {
            JsonNode root = m.readTree(p);
            if (root == null || root.isMissingNode() || root.isNull()) throw new ConfigException(name, "", "the spec is empty; expected a mapping of sections");
            if (!(root instanceof ObjectNode o)) throw new ConfigException(name, "", "expected a mapping of sections, got " + kindOf(root));
            if (p.nextToken() != null) {
                throw new ConfigException(name, "", "a second document starts at line " + p.currentLocation().getLineNr() + "; a spec is one document");
            }
            return o;
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(name, "", "not valid " + (yaml ? "YAML" : "JSON") + where + ": " + ConfigException.oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot read: " + e.getMessage(), e);
        }
    }

    /** A bare model config becomes the model section; the model's tokenizer and sampler move to their sections. */
    static void migrate(String name, ObjectNode tree) {
        if (tree.has("architecture") && !tree.has("model")) {
            ObjectNode model = tree.deepCopy();
            tree.removeAll();
            tree.set("model", model);
        }
        if (tree.get("model") instanceof ObjectNode model) {
            if (model.has("tokenizer")) {
                if (tree.has("tokenizer")) throw new ConfigException(name, "model.tokenizer", "the tokenizer belongs in the top-level tokenizer section; give it once");
                tree.set("tokenizer", model.remove("tokenizer"));
            }
            if (model.has("sampler")) {
                JsonNode chain = model.remove("sampler");
                if (chain.isObject()) chain = JSON.createArrayNode().add(chain);
                ObjectNode gen = tree.get("generation") instanceof ObjectNode g ? g : tree.putObject("generation");
                if (gen.has("processors")) throw new ConfigException(name, "model.sampler", "the older spelling of generation.processors; give one");
                gen.set("processors", chain);
            }
        }
    }

    /**
     * {@code over} merged into {@code into}: mappings key by key, anything else replaced. A component mapping
     * that names another {@code id} replaces the old one whole: the old provider's parameters mean nothing to it.
     */
    static void merge(ObjectNode into, JsonNode over) {
        for (Iterator<Map.Entry<String, JsonNode>> it = over.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode old = into.get(e.getKey());
            if (old instanceof ObjectNode o && e.getValue() instanceof ObjectNode n && !otherId(o, n)) merge(o, n);
            else into.set(e.getKey(), e.getValue().deepCopy());
        }
    }

    private static boolean otherId(ObjectNode old, ObjectNode over) {
        return old.has("id") && over.has("id") && !old.get("id").equals(over.get("id"));
    }

    private RunSpec resolve(String file, Path base, ObjectNode tree, List<String> overrides) {
        migrate(file, tree);
        for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!SECTIONS.contains(k)) {
                String hint = Suggest.closest(k, SECTIONS).map(s -> "; did you mean \"" + s + "\"?").orElse("");
                throw new ConfigException(file, k, "unknown section; expected one of " + String.join(", ", SECTIONS) + ", extends" + hint);
            }
        }
        ObjectNode full = read("built-in defaults", DEFAULTS, true);
        merge(full, tree);
        for (String o : overrides) applyOverride(file, full, o);

        if (!(full.get("model") instanceof ObjectNode modelNode)) throw new ConfigException(file, "model", "is required (the model: architecture, sizes, parts)");
        Component tokenizer = full.has("tokenizer") ? component(file, "tokenizer", full.get("tokenizer"), ComponentKind.TOKENIZER) : null;
        ObjectNode modelTree = modelNode.deepCopy();
        if (!modelTree.has("vocab_size")) {
            Object tv = tokenizer == null ? null : tokenizer.params().values().get("vocab_size");
            modelTree.put("vocab_size", tv instanceof Number n && n.intValue() > 0 ? n.intValue() : 256); // replaced by a trained tokenizer's size
        }
        ModelConfig model;
        try {
            model = configs.fromTree(file, modelTree);
        } catch (ConfigException e) {
            throw e.under("model");
        }
        model = model.withTokenizer(tokenizer);
        Component data = full.has("data") ? dataComponent(file, full.get("data")) : null;
        Component objective = component(file, "objective", full.get("objective"), ComponentKind.OBJECTIVE);

        Section o = new Section(file, "optim", full.get("optim"), FIXED.get("optim"));
        String optimId = o.choice("id", List.of("adamw", "sgd"));
        List<Double> betas = o.numbers("betas");
        if (betas.size() != 2 || betas.stream().anyMatch(b -> !(b >= 0 && b < 1))) {
            throw new ConfigException(file, "optim.betas", "expected two numbers in [0, 1), e.g. [0.9, 0.95], got " + betas);
        }
        Map<String, Double> multipliers = new LinkedHashMap<>();
        JsonNode lm = o.node("lr_multipliers");
        if (!(lm instanceof ObjectNode)) throw new ConfigException(file, "optim.lr_multipliers", "expected a mapping of name pattern to multiplier, got " + kindOf(lm));
        for (Iterator<Map.Entry<String, JsonNode>> it = lm.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Double v = Section.number(e.getValue());
            if (v == null || !(v >= 0)) throw new ConfigException(file, "optim.lr_multipliers." + e.getKey(), "expected a number ≥ 0, got " + kindOf(e.getValue()));
            multipliers.put(e.getKey(), v);
        }
        RunSpec.Optim optim = new RunSpec.Optim(optimId, o.positive("lr"), betas, o.atLeast("eps", 0), o.atLeast("momentum", 0),
                o.atLeast("weight_decay", 0), o.atLeast("clip", 0), o.texts("freeze"), o.texts("no_decay"), multipliers);

        Section r = new Section(file, "run", full.get("run"), FIXED.get("run"));
        RunSpec.Run run = new RunSpec.Run(r.integer("steps", 1), r.integer("batch_size", 1), r.integer("context", 2),
                r.longValue("seed"), r.integer("eval_every", 0), r.integer("eval_batches", 1), r.integer("checkpoint_every", 0),
                evalContexts(file, r.node("eval_contexts")));
        if (run.context() > model.maxPositions()) {
            throw new ConfigException(file, "run.context", "is " + run.context() + ", more than the model's max_positions " + model.maxPositions());
        }
        checkEvalContexts(file, r.node("eval_contexts"), run, model, data);

        Section s = new Section(file, "schedule", full.get("schedule"), FIXED.get("schedule"));
        RunSpec.Schedule schedule = new RunSpec.Schedule(s.choice("id", List.of("warmup-cosine", "linear", "constant")),
                s.integer("warmup", 0), s.atLeast("min_lr", 0));
        if (schedule.minLr() > optim.lr()) throw new ConfigException(file, "schedule.min_lr", "is " + schedule.minLr() + ", more than optim.lr " + optim.lr());

        Section g = new Section(file, "generation", full.get("generation"), FIXED.get("generation"));
        List<Component> processors = new ArrayList<>();
        JsonNode chain = g.node("processors");
        if (chain.isObject()) chain = JSON.createArrayNode().add(chain);
        if (!chain.isArray()) throw new ConfigException(file, "generation.processors", "expected a list of {id: ..., parameters} steps, got " + kindOf(chain));
        for (int i = 0; i < chain.size(); i++) processors.add(component(file, "generation.processors." + i, chain.get(i), ComponentKind.SAMPLER));
        RunSpec.Generation generation = new RunSpec.Generation(g.choice("strategy", List.of("sample", "greedy", "beam")), processors,
                g.integer("max_new_tokens", 1), g.integer("beams", 1), g.real("length_penalty"), g.bool("early_stopping"), g.texts("prompts"));

        ObjectNode resolved = JSON.createObjectNode();
        Map<String, Object> modelMap = new LinkedHashMap<>(model.toMap());
        modelMap.remove("tokenizer");
        modelMap.remove("sampler");
        resolved.set("model", JSON.valueToTree(modelMap));
        if (tokenizer != null) resolved.set("tokenizer", componentTree(tokenizer));
        if (data != null) resolved.set("data", componentTree(data));
        resolved.set("objective", componentTree(objective));
        resolved.set("optim", JSON.valueToTree(Map.of("id", optim.id(), "lr", optim.lr(), "betas", optim.betas(), "eps", optim.eps(),
                "momentum", optim.momentum(), "weight_decay", optim.weightDecay(), "clip", optim.clip(), "freeze", optim.freeze(),
                "no_decay", optim.noDecay(), "lr_multipliers", optim.lrMultipliers())));
        resolved.set("schedule", JSON.valueToTree(Map.of("id", schedule.id(), "warmup", schedule.warmup(), "min_lr", schedule.minLr())));
        ObjectNode runTree = JSON.valueToTree(Map.of("steps", run.steps(), "batch_size", run.batchSize(), "context", run.context(),
                "seed", run.seed(), "eval_every", run.evalEvery(), "eval_batches", run.evalBatches(), "checkpoint_every", run.checkpointEvery()));
        // Written only when set, so that the hash (the identity) of every spec without it stays what it was.
        if (!run.evalContexts().isEmpty()) runTree.set("eval_contexts", JSON.valueToTree(run.evalContexts()));
        resolved.set("run", runTree);
        ArrayNode procs = JSON.createArrayNode();
        processors.forEach(c -> procs.add(componentTree(c)));
        ObjectNode gen = JSON.createObjectNode();
        gen.put("strategy", generation.strategy());
        gen.set("processors", procs);
        gen.put("max_new_tokens", generation.maxNewTokens());
        gen.put("beams", generation.beams());
        gen.put("length_penalty", generation.lengthPenalty());
        gen.put("early_stopping", generation.earlyStopping());
        gen.set("prompts", JSON.valueToTree(generation.prompts()));
        resolved.set("generation", gen);
        return new RunSpec(file, base, model, tokenizer, data, objective, optim, schedule, run, generation, resolved, hash(resolved));
    }

    /** SHA-256 of the tree written with sorted keys. */
    public static String hash(JsonNode tree) {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(CANONICAL.convertValue(tree, Object.class));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash the spec: " + e.getMessage(), e);
        }
    }

    /** The spec as YAML text, for writing into a run folder. */
    public static String toYaml(JsonNode tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Component dataComponent(String file, JsonNode node) {
        if (node instanceof ObjectNode o && !o.has("id")) {
            ObjectNode copy = o.deepCopy();
            copy.put("id", "text-windows");
            node = copy;
        }
        return component(file, "data", node, ComponentKind.DATA);
    }

    private Component component(String file, String path, JsonNode node, ComponentKind kind) {
        return configs.component(file, path, node, kind);
    }

    private static ObjectNode componentTree(Component c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", c.id());
        c.params().values().forEach((k, v) -> n.set(k, JSON.valueToTree(v)));
        return n;
    }

    /** Applies {@code path=value}; the value is read as YAML (so lists and mappings work: {@code optim.freeze=[embed_*]}). */
    private void applyOverride(String file, ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        String where = "--set " + override;
        if (eq <= 0) throw new ConfigException(where, "", "expected path=value, e.g. --set run.steps=100");
        String path = override.substring(0, eq).trim();
        JsonNode value;
        try {
            value = YAML.readTree(override.substring(eq + 1).isBlank() ? "null" : override.substring(eq + 1));
        } catch (JacksonException e) {
            throw new ConfigException(where, path, "the value is not valid YAML: " + ConfigException.oneLine(e.getOriginalMessage()));
        }
        if (value == null || value.isMissingNode()) value = JsonNodeFactory.instance.nullNode();
        if (value.isTextual() && Section.number(value) != null && value.asText().matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
            value = JsonNodeFactory.instance.numberNode(Double.parseDouble(value.asText()));
        }
        String[] parts = path.split("\\.");
        JsonNode node = tree;
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String key = parts[i];
            boolean last = i == parts.length - 1;
            List<String> known = knownKeys(at.toString(), node);
            if (node instanceof ArrayNode arr) {
                int index;
                try { index = Integer.parseInt(key); } catch (NumberFormatException e) { index = -1; }
                if (index < 0 || index > arr.size() || (index == arr.size() && !last)) {
                    throw new ConfigException(where, path, "\"" + at + "\" is a list of " + arr.size() + "; expected an index from 0 to " + (arr.size() - 1));
                }
                if (last) { if (index == arr.size()) arr.add(value); else arr.set(index, value); return; }
                node = arr.get(index);
            } else if (node instanceof ObjectNode obj) {
                if (known != null && !known.contains(key) && !obj.has(key)) {
                    String hint = Suggest.closest(key, known).map(s -> "; did you mean \"" + s + "\"?").orElse("");
                    throw new ConfigException(where, path, "\"" + key + "\" is not a field of " + (at.isEmpty() ? "the spec" : at.toString())
                            + "; expected one of " + String.join(", ", known) + hint);
                }
                if (last) { obj.set(key, value); return; }
                JsonNode next = obj.get(key);
                if (next == null || next.isNull()) { next = JSON.createObjectNode(); obj.set(key, next); }
                node = next;
            } else {
                throw new ConfigException(where, path, "\"" + at + "\" is " + kindOf(node) + ", which has no field \"" + key + "\"");
            }
            if (!at.isEmpty()) at.append('.');
            at.append(key);
        }
    }

    /** The keys a path may have, or {@code null} when any key may be added (e.g. lr_multipliers, output_heads). */
    private List<String> knownKeys(String path, JsonNode node) {
        if (path.isEmpty()) return SECTIONS;
        if (FIXED.containsKey(path)) return FIXED.get(path);
        if (path.equals("model")) return ConfigLoader.fields();
        if (path.equals("optim.lr_multipliers") || path.equals("model.output_heads")) return null;
        ComponentKind kind = switch (path) {
            case "tokenizer" -> ComponentKind.TOKENIZER;
            case "data" -> ComponentKind.DATA;
            case "objective" -> ComponentKind.OBJECTIVE;
            case "model.norm" -> ComponentKind.NORM;
            case "model.attention" -> ComponentKind.ATTENTION;
            case "model.positional" -> ComponentKind.POSITIONAL_ENCODING;
            case "model.feed_forward" -> ComponentKind.FEED_FORWARD;
            case "model.block" -> ComponentKind.BLOCK;
            default -> path.startsWith("model.output_heads.") ? ComponentKind.HEAD
                    : path.startsWith("generation.processors.") ? ComponentKind.SAMPLER : null;
        };
        if (kind == null) return null;
        List<String> keys = new ArrayList<>(List.of("id"));
        if (kind == ComponentKind.NORM) keys.addAll(List.of("placement", "final", "embedding"));
        JsonNode id = node.get("id");
        if (id != null && id.isTextual()) {
            try {
                for (ParamSpec p : registry.find(kind, id.asText()).provider().parameters()) keys.add(p.name());
            } catch (RuntimeException e) {
                return null; // the id itself is reported when the section is validated
            }
        }
        return keys;
    }

    /** {@code run.eval_contexts}: a list of distinct integers ≥ 2, returned in ascending order. */
    private static List<Integer> evalContexts(String file, JsonNode v) {
        if (!v.isArray()) throw new ConfigException(file, "run.eval_contexts", "expected a list of contexts in tokens, e.g. [128, 256, 512], got " + kindOf(v));
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (int i = 0; i < v.size(); i++) {
            Double d = Section.number(v.get(i));
            if (d == null || d != Math.rint(d) || d < 2 || d > Integer.MAX_VALUE) {
                throw new ConfigException(file, "run.eval_contexts." + i, "expected an integer ≥ 2 (a context in tokens), got " + kindOf(v.get(i)));
            }
            if (!out.add(d.intValue())) throw new ConfigException(file, "run.eval_contexts." + i, "repeats context " + d.intValue());
        }
        return List.copyOf(out);
    }

    /**
     * Every context of {@code run.eval_contexts} fits the model's positions and cuts the held-out span into whole windows,
     * so that every context scores exactly the same tokens.
     */
    private static void checkEvalContexts(String file, JsonNode list, RunSpec.Run run, ModelConfig model, Component data) {
        if (list.isEmpty()) return;
        if (data != null && !data.id().equals("text-windows")) {
            throw new ConfigException(file, "run.eval_contexts", "scores windows of a running text, which data \"" + data.id() + "\" does not give; use data.id text-windows or leave it out");
        }
        for (int i = 0; i < list.size(); i++) {
            int c = Section.number(list.get(i)).intValue();
            if (c > model.maxPositions()) {
                throw new ConfigException(file, "run.eval_contexts." + i, "is " + c + ", more than the model's max_positions " + model.maxPositions()
                        + "; raise model.max_positions (the model refuses positions past it; a learned table has no rows there)");
            }
            if (run.heldOutTokens() % c != 0) {
                throw new ConfigException(file, "run.eval_contexts." + i, "is " + c + ", which does not divide the held-out span of eval_batches × batch_size × context = "
                        + run.heldOutTokens() + " tokens; every context scores those same tokens, so choose a divisor (e.g. a power-of-two multiple of run.context)");
            }
        }
    }

    /** A fixed-key section read field by field. */
    private static final class Section {
        final String file, prefix;
        final ObjectNode node;

        Section(String file, String prefix, JsonNode node, List<String> keys) {
            this.file = file;
            this.prefix = prefix;
            if (!(node instanceof ObjectNode o)) throw new ConfigException(file, prefix, "expected a mapping of fields, got " + kindOf(node));
            this.node = o;
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!keys.contains(k)) {
                    String hint = Suggest.closest(k, keys).map(s -> "; did you mean \"" + s + "\"?").orElse("");
                    throw new ConfigException(file, prefix + "." + k, "unknown field; expected one of " + String.join(", ", keys) + hint);
                }
            }
        }

        JsonNode node(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) throw new ConfigException(file, prefix + "." + key, "is required");
            return v;
        }

        static Double number(JsonNode v) {
            if (v.isNumber()) return v.doubleValue();
            if (v.isTextual()) {
                try { return Double.parseDouble(v.asText().trim()); } catch (NumberFormatException e) { return null; }
            }
            return null;
        }

        double real(String key) {
            Double d = number(node(key));
            if (d == null || d.isNaN() || d.isInfinite()) throw new ConfigException(file, prefix + "." + key, "expected a number, got " + kindOf(node(key)));
            return d;
        }

        double atLeast(String key, double min) {
            double d = real(key);
            if (d < min) throw new ConfigException(file, prefix + "." + key, "expected a number ≥ " + (min == Math.rint(min) ? Long.toString((long) min) : min) + ", got " + d);
            return d;
        }

        double positive(String key) {
            double d = real(key);
            if (!(d > 0)) throw new ConfigException(file, prefix + "." + key, "expected a number > 0, got " + d);
            return d;
        }

        int integer(String key, int min) {
            JsonNode v = node(key);
            Double d = number(v);
            if (d == null || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw new ConfigException(file, prefix + "." + key, "expected an integer ≥ " + min + ", got " + kindOf(v));
            if (d < min) throw new ConfigException(file, prefix + "." + key, "expected an integer ≥ " + min + ", got " + d.intValue());
            return d.intValue();
        }

        long longValue(String key) {
            JsonNode v = node(key);
            if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
            Double d = number(v);
            if (d == null || d != Math.rint(d)) throw new ConfigException(file, prefix + "." + key, "expected an integer, got " + kindOf(v));
            return d.longValue();
        }

        boolean bool(String key) {
            JsonNode v = node(key);
            if (v.isBoolean()) return v.booleanValue();
            if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) return Boolean.parseBoolean(v.asText());
            throw new ConfigException(file, prefix + "." + key, "expected true or false, got " + kindOf(v));
        }

        String choice(String key, List<String> choices) {
            JsonNode v = node(key);
            String s = v.isTextual() ? v.asText() : null;
            if (s == null || !choices.contains(s)) {
                String hint = s == null ? "" : Suggest.closest(s, choices).map(c -> "; did you mean \"" + c + "\"?").orElse("");
                throw new ConfigException(file, prefix + "." + key, "expected one of " + String.join(", ", choices) + ", got " + kindOf(v) + hint);
            }
            return s;
        }

        List<String> texts(String key) {
            JsonNode v = node(key);
            if (v.isTextual()) return List.of(v.asText());
            if (!v.isArray()) throw new ConfigException(file, prefix + "." + key, "expected a list of texts, got " + kindOf(v));
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) throw new ConfigException(file, prefix + "." + key + "." + i, "expected a text, got " + kindOf(v.get(i)));
                out.add(v.get(i).asText());
            }
            return out;
        }

        List<Double> numbers(String key) {
            JsonNode v = node(key);
            if (!v.isArray()) throw new ConfigException(file, prefix + "." + key, "expected a list of numbers, got " + kindOf(v));
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                Double d = number(v.get(i));
                if (d == null) throw new ConfigException(file, prefix + "." + key + "." + i, "expected a number, got " + kindOf(v.get(i)));
                out.add(d);
            }
            return out;
        }
    }

}
