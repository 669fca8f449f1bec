package org.ablate.study;

import static org.ablate.models.config.ConfigLoader.kindOf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.ablate.api.ComponentKind;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.Component;
import org.ablate.models.config.ConfigException;
import org.ablate.platform.ComponentRegistry;
import org.ablate.platform.RegisteredProvider;
import org.ablate.platform.Suggest;
import org.ablate.run.RunSpec;
import org.ablate.run.SpecLoader;

/**
 * A study expanded into its runs: every arm's overrides applied to the base spec with each seed, each run
 * resolved by {@link SpecLoader} (so a wrong path gets the same did-you-mean error as {@code --set}) and given
 * an identity, the SHA-256 of its resolved spec's hash, its data's fingerprint and the versions of the components
 * it trains with. Everything is checked here, before any run starts.
 *
 * <p>The study file:
 * <pre>
 * name: Pre-LN vs post-LN without warmup
 * base: ../specs/gpt-char.yaml          # or an inline run spec (a mapping)
 * set: {schedule.warmup: 0}             # overrides of every arm (optional)
 * arms:                                 # named arms, each a mapping of spec paths to values ...
 *   pre-ln: {}                          #   (only the baseline may change nothing)
 *   post-ln: {model.block.id: post-norm}
 * # axes: {model.positional.id: [rope, alibi], optim.lr: [1e-3, 3e-3]}   # ... or axes whose product is the grid
 * baseline: pre-ln                      # default: the first arm
 * seeds: [0, 1, 2]
 * metrics: [loss, perplexity]           # default: [loss]
 * parameter_tolerance: 0.05             # warn when arms' parameter counts differ by more (default 0.1)
 * expect: ["pre-ln.loss &lt; post-ln.loss"]
 * </pre>
 */
public final class Study {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEYS = List.of("name", "base", "set", "arms", "axes", "baseline", "seeds", "metrics", "expect", "parameter_tolerance");
    private static final java.util.regex.Pattern ARM_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+=-]*");

    /**
     * One run of the study.
     *
     * @param name       {@code arm/seed-N}, also the run folder under the study's {@code runs/}
     * @param overrides  every override applied to the base spec, in order (common, arm, seed)
     * @param dataSha256 the fingerprint of the text the run trains on
     * @param components the version of each component the spec trains with, by {@code kind/id} (e.g.
     *                   {@code attention/multi-head}), sorted
     * @param id         SHA-256 of the resolved spec's hash, the data fingerprint and the component versions: the run's identity
     */
    public record Run(String name, String arm, long seed, RunSpec spec, List<String> overrides, String dataSha256,
                      Map<String, String> components, String id) {
        /** The run's folder in a study folder. */
        public Path folder(Path studyDir) { return studyDir.resolve("runs").resolve(arm).resolve("seed-" + seed); }
    }

    /** What an arm costs: parameters (counted on the built model) and forward FLOPs per token. */
    public record Size(String arm, long parameters, long flopsPerToken) {}

    private final StudySpec spec;
    private final List<Run> runs;
    private List<Size> sizes;

    private Study(StudySpec spec, List<Run> runs) {
        this.spec = spec;
        this.runs = List.copyOf(runs);
    }

    public StudySpec spec() { return spec; }

    /** Every run, seed by seed, the baseline first within a seed (so early runs cover every arm). */
    public List<Run> runs() { return runs; }

    public Run run(String name) {
        for (Run r : runs) if (r.name().equals(name)) return r;
        throw new IllegalArgumentException(spec.file() + ": the study has no run \"" + name + "\"");
    }

    /** Reads, checks and expands a study file. */
    public static Study load(Path file, ComponentRegistry registry) {
        StudySpec s = read(file);
        return expand(s, new SpecLoader(registry), registry);
    }

    // --- reading --------------------------------------------------------------------------------------

    /** Reads the study file and checks its shape (not yet its overrides). */
    public static StudySpec read(Path file) {
        String f = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(f, "", "cannot read the study: " + e.getMessage(), e);
        }
        ObjectNode root;
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            JsonNode n = YAML.readTree(p);
            if (!(n instanceof ObjectNode o)) throw new ConfigException(f, "", "expected a mapping with base, arms (or axes) and seeds, got " + kindOf(n));
            root = o;
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "line " + at.getLineNr() + ": ";
            String msg = e.getOriginalMessage();
            if (msg.startsWith("Duplicate field")) {
                throw new ConfigException(f, "", where + "duplicate key " + msg.substring(msg.indexOf('\'')) + "; arm names and keys must be unique");
            }
            throw new ConfigException(f, "", "not valid YAML (" + where + msg + ")", e);
        } catch (IOException e) {
            throw new ConfigException(f, "", "cannot read: " + e.getMessage(), e);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                String hint = Suggest.closest(k, KEYS).map(c -> "; did you mean \"" + c + "\"?").orElse("");
                throw new ConfigException(f, k, "unknown key; expected one of " + String.join(", ", KEYS) + hint);
            }
        }
        String name = root.has("name") ? text(f, root, "name") : file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        JsonNode base = root.get("base");
        if (base == null || !(base.isTextual() || base.isObject())) {
            throw new ConfigException(f, "base", "expected the base run spec: a path relative to the study file, or an inline spec mapping; got " + kindOf(base));
        }
        List<String> common = overrides(f, "set", root.get("set"));

        List<StudySpec.Arm> arms = new ArrayList<>();
        if (root.has("arms") == root.has("axes")) throw new ConfigException(f, "arms", "give either arms (named sets of overrides) or axes (a grid), not " + (root.has("arms") ? "both" : "neither"));
        if (root.has("arms")) {
            if (!(root.get("arms") instanceof ObjectNode a) || a.isEmpty()) throw new ConfigException(f, "arms", "expected a mapping of arm names to overrides, got " + kindOf(root.get("arms")));
            for (Iterator<Map.Entry<String, JsonNode>> it = a.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                checkName(f, "arms." + e.getKey(), e.getKey());
                JsonNode v = e.getValue().isNull() ? JSON.createObjectNode() : e.getValue();
                arms.add(new StudySpec.Arm(e.getKey(), overrides(f, "arms." + e.getKey(), v), "arms." + e.getKey()));
            }
        } else {
            arms.addAll(grid(f, root.get("axes")));
        }
        if (arms.size() < 2) throw new ConfigException(f, root.has("arms") ? "arms" : "axes", "a study compares at least two arms; found " + arms.size());

        String baseline = root.has("baseline") ? text(f, root, "baseline") : arms.getFirst().name();
        List<String> names = arms.stream().map(StudySpec.Arm::name).toList();
        if (!names.contains(baseline)) {
            throw new ConfigException(f, "baseline", "no arm \"" + baseline + "\"; arms: " + String.join(", ", names)
                    + Suggest.closest(baseline, names).map(c -> "; did you mean \"" + c + "\"?").orElse(""));
        }

        JsonNode seedsNode = root.get("seeds");
        if (seedsNode == null || !seedsNode.isArray()) throw new ConfigException(f, "seeds", "expected a list of integer seeds shared by every arm, e.g. [0, 1, 2]; got " + kindOf(seedsNode));
        if (seedsNode.isEmpty()) throw new ConfigException(f, "seeds", "the seed list is empty; give at least one seed, e.g. [0, 1, 2]");
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < seedsNode.size(); i++) {
            JsonNode s = seedsNode.get(i);
            if (!s.isIntegralNumber() || !s.canConvertToLong()) throw new ConfigException(f, "seeds." + i, "expected an integer, got " + kindOf(s));
            if (seeds.contains(s.longValue())) throw new ConfigException(f, "seeds." + i, "seed " + s.longValue() + " is listed twice");
            seeds.add(s.longValue());
        }

        List<String> metrics = new ArrayList<>();
        JsonNode m = root.has("metrics") ? root.get("metrics") : JSON.createArrayNode().add("loss");
        if (!m.isArray() || m.isEmpty()) throw new ConfigException(f, "metrics", "expected a list of metrics out of " + Metrics.choices() + "; got " + kindOf(m));
        for (int i = 0; i < m.size(); i++) {
            String k = m.get(i).asText();
            if (!m.get(i).isTextual() || !Metrics.known(k)) {
                throw new ConfigException(f, "metrics." + i, "unknown metric " + kindOf(m.get(i)) + "; expected one of " + Metrics.choices()
                        + Suggest.closest(k, Metrics.NAMES.keySet()).map(c -> "; did you mean \"" + c + "\"?").orElse(""));
            }
            if (!metrics.contains(k)) metrics.add(k);
        }

        List<Expectation> expectations = new ArrayList<>();
        JsonNode ex = root.get("expect");
        if (ex != null) {
            if (ex.isTextual()) ex = JSON.createArrayNode().add(ex);
            if (!ex.isArray()) throw new ConfigException(f, "expect", "expected a list of lines like \"alibi.loss < sinusoidal.loss\", got " + kindOf(ex));
            for (int i = 0; i < ex.size(); i++) {
                Expectation e = ex.get(i).isTextual() ? Expectation.parse(ex.get(i).asText()) : null;
                if (e == null) throw new ConfigException(f, "expect." + i, "expected ARM.METRIC < ARM.METRIC (or >), e.g. \"alibi.loss < sinusoidal.loss\"; got " + kindOf(ex.get(i)));
                for (String arm : List.of(e.leftArm(), e.rightArm())) {
                    if (!names.contains(arm)) {
                        throw new ConfigException(f, "expect." + i, "no arm \"" + arm + "\"; arms: " + String.join(", ", names)
                                + Suggest.closest(arm, names).map(c -> "; did you mean \"" + c + "\"?").orElse(""));
                    }
                }
                for (String metric : List.of(e.leftMetric(), e.rightMetric())) {
                    if (!Metrics.known(metric)) throw new ConfigException(f, "expect." + i, "unknown metric \"" + metric + "\"; expected one of " + Metrics.choices());
                    if (!metrics.contains(metric)) metrics.add(metric);
                }
                // Paired by seed: two arms on one metric, or one arm on two metrics (e.g. its loss at 4x against at 1x).
                boolean sameArm = e.leftArm().equals(e.rightArm()), sameMetric = e.leftMetric().equals(e.rightMetric());
                if (sameArm && sameMetric) throw new ConfigException(f, "expect." + i, "compares " + e.leftArm() + "." + e.leftMetric() + " with itself");
                if (!sameArm && !sameMetric) {
                    throw new ConfigException(f, "expect." + i, "compares " + e.leftMetric() + " with " + e.rightMetric() + " across arms; a paired difference needs one metric on "
                            + "both sides, or one arm on both sides");
                }
                expectations.add(e);
            }
        }
        double tolerance = 0.1;
        if (root.has("parameter_tolerance")) {
            JsonNode t = root.get("parameter_tolerance");
            if (!t.isNumber() || !(t.doubleValue() >= 0)) throw new ConfigException(f, "parameter_tolerance", "expected a share ≥ 0, e.g. 0.05 for 5 %; got " + kindOf(t));
            tolerance = t.doubleValue();
        }
        return new StudySpec(file, name, base, common, arms, baseline, seeds, metrics, expectations, tolerance);
    }

    private static String text(String f, ObjectNode root, String key) {
        JsonNode v = root.get(key);
        if (!v.isTextual() || v.asText().isBlank()) throw new ConfigException(f, key, "expected a text, got " + kindOf(v));
        return v.asText();
    }

    private static void checkName(String f, String where, String name) {
        if (!ARM_NAME.matcher(name).matches()) {
            throw new ConfigException(f, where, "an arm name is a folder name: letters, digits and _ . + = -, starting with a letter or digit; got \"" + name + "\"");
        }
    }

    /** A mapping of spec paths to values as {@code path=value} overrides (values as JSON, which YAML reads back). */
    private static List<String> overrides(String f, String where, JsonNode node) {
        if (node == null) return List.of();
        if (!(node instanceof ObjectNode o)) throw new ConfigException(f, where, "expected a mapping of spec paths to values, e.g. {model.block.id: post-norm}; got " + kindOf(node));
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("run.seed")) throw new ConfigException(f, where + ".run.seed", "the seed comes from the study's seeds list, the same for every arm");
            out.add(e.getKey() + "=" + json(e.getValue()));
        }
        return out;
    }

    /** The arms of a grid: the product of every axis's values, named by the values joined with "_". */
    private static List<StudySpec.Arm> grid(String f, JsonNode axes) {
        if (!(axes instanceof ObjectNode a) || a.isEmpty()) throw new ConfigException(f, "axes", "expected a mapping of spec paths to lists of values, e.g. {model.positional.id: [rope, alibi]}; got " + kindOf(axes));
        List<String> paths = new ArrayList<>();
        List<JsonNode> values = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = a.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isArray() || e.getValue().isEmpty()) throw new ConfigException(f, "axes." + e.getKey(), "expected a non-empty list of values, got " + kindOf(e.getValue()));
            if (e.getKey().equals("run.seed")) throw new ConfigException(f, "axes.run.seed", "the seed comes from the study's seeds list, not an axis");
            paths.add(e.getKey());
            values.add(e.getValue());
        }
        List<StudySpec.Arm> arms = new ArrayList<>();
        int[] index = new int[paths.size()];
        while (true) {
            List<String> over = new ArrayList<>();
            List<String> name = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                JsonNode v = values.get(i).get(index[i]);
                over.add(paths.get(i) + "=" + json(v));
                name.add((v.isValueNode() ? v.asText() : json(v)).replaceAll("[^A-Za-z0-9_.+=-]", "-"));
            }
            String n = String.join("_", name);
            for (StudySpec.Arm prev : arms) {
                if (prev.name().equals(n)) throw new ConfigException(f, "axes", "two grid points are both named \"" + n + "\"; give the values distinct spellings");
            }
            checkName(f, "axes", n);
            arms.add(new StudySpec.Arm(n, over, "axes (" + n + ")"));
            int k = paths.size() - 1;
            while (k >= 0 && ++index[k] == values.get(k).size()) index[k--] = 0;
            if (k < 0) return arms;
        }
    }

    private static String json(JsonNode v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- expansion ------------------------------------------------------------------------------------

    /** Resolves every run; refuses overrides that do not exist, arms that change nothing and arms that repeat another. */
    public static Study expand(StudySpec s, SpecLoader loader, ComponentRegistry registry) {
        String f = s.file().toString();
        Map<String, String> dataPrints = new HashMap<>();
        List<Run> runs = new ArrayList<>();
        // The base spec alone (common overrides, first seed): an arm that resolves to it changes nothing.
        RunSpec base = resolve(s, loader, "set", List.of(), s.seeds().getFirst());
        Map<String, String> firstHash = new LinkedHashMap<>();
        for (StudySpec.Arm arm : s.arms()) {
            RunSpec first = resolve(s, loader, arm.where(), arm.overrides(), s.seeds().getFirst());
            // A grid point may well be the base itself; a named arm that is must be the baseline.
            if (first.hash().equals(base.hash()) && !arm.name().equals(s.baseline()) && !arm.where().startsWith("axes")) {
                throw new ConfigException(f, arm.where(), "the arm changes nothing: its overrides " + arm.overrides()
                        + " resolve to the base spec (only the baseline may)");
            }
            for (Map.Entry<String, String> e : firstHash.entrySet()) {
                if (e.getValue().equals(first.hash())) throw new ConfigException(f, arm.where(), "resolves to the same spec as arm \"" + e.getKey() + "\"; each arm must differ");
            }
            firstHash.put(arm.name(), first.hash());
        }
        for (long seed : s.seeds()) {
            List<StudySpec.Arm> order = new ArrayList<>(s.arms());
            order.sort((a, b) -> Boolean.compare(!a.name().equals(s.baseline()), !b.name().equals(s.baseline())));
            for (StudySpec.Arm arm : order) {
                RunSpec spec = resolve(s, loader, arm.where(), arm.overrides(), seed);
                String data = dataPrints.computeIfAbsent(dataKey(spec), k -> dataFingerprint(f, spec, registry));
                List<String> all = new ArrayList<>(s.common());
                all.addAll(arm.overrides());
                all.add("run.seed=" + seed);
                Map<String, String> versions = componentVersions(spec, registry);
                runs.add(new Run(arm.name() + "/seed-" + seed, arm.name(), seed, spec, all, data, versions, identity(spec.hash(), data, versions)));
            }
        }
        return new Study(s, runs);
    }

    /**
     * A run's identity: the SHA-256 of its spec hash, its data fingerprint and its components' versions, so a changed
     * spec, changed data or an upgraded provider each make it another run.
     */
    static String identity(String specHash, String dataSha256, Map<String, String> componentVersions) {
        StringBuilder b = new StringBuilder(specHash).append('\n').append(dataSha256);
        // Without components the identity stays what it was before versions were part of it.
        componentVersions.forEach((k, v) -> b.append('\n').append(k).append('@').append(v));
        return sha256(b.toString());
    }

    /**
     * The version of each provider the run trains with (block, norm, attention, positional encoding, feed-forward,
     * heads, tokenizer, data source, objective), by {@code kind/id}. Samplers only decode, so they are left out.
     */
    static Map<String, String> componentVersions(RunSpec spec, ComponentRegistry registry) {
        Map<String, String> out = new java.util.TreeMap<>();
        var m = spec.model();
        List<Map.Entry<ComponentKind, Component>> named = new ArrayList<>(List.of(
                Map.entry(ComponentKind.BLOCK, m.block()), Map.entry(ComponentKind.NORM, m.norm()), Map.entry(ComponentKind.ATTENTION, m.attention()),
                Map.entry(ComponentKind.POSITIONAL_ENCODING, m.positional()), Map.entry(ComponentKind.FEED_FORWARD, m.feedForward())));
        for (Component h : m.outputHeads().values()) named.add(Map.entry(ComponentKind.HEAD, h));
        Component tokenizer = spec.tokenizer() != null ? spec.tokenizer() : m.tokenizer();
        if (tokenizer != null) named.add(Map.entry(ComponentKind.TOKENIZER, tokenizer));
        if (spec.data() != null) named.add(Map.entry(ComponentKind.DATA, spec.data()));
        if (spec.objective() != null) named.add(Map.entry(ComponentKind.OBJECTIVE, spec.objective()));
        for (Map.Entry<ComponentKind, Component> e : named) {
            if (e.getValue() == null) continue;
            RegisteredProvider p = registry.find(e.getKey(), e.getValue().id());
            out.put(e.getKey().label().replace(' ', '-') + "/" + p.id(), p.version());
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static RunSpec resolve(StudySpec s, SpecLoader loader, String where, List<String> armOverrides, long seed) {
        String f = s.file().toString();
        List<String> all = new ArrayList<>(s.common());
        all.addAll(armOverrides);
        all.add("run.seed=" + seed);
        try {
            if (s.base().isTextual()) {
                Path file = s.file().toAbsolutePath().getParent().resolve(s.base().asText());
                if (!Files.isRegularFile(file)) throw new ConfigException(f, "base", "no such run spec: " + file);
                return loader.load(file, all);
            }
            return loader.parse(f + " (base)", json(s.base()), false, s.file().toAbsolutePath().getParent(), all);
        } catch (ConfigException e) {
            if (e.file().startsWith("--set ")) {
                // The override's own error, placed where the study file gives it.
                String path = e.field().isEmpty() ? e.file().substring(6) : e.field();
                String at = s.common().stream().anyMatch(o -> o.startsWith(path + "=")) ? "set" : where;
                throw new ConfigException(f, at + "." + path, e.problem());
            }
            if (e.file().equals(f)) throw e;
            throw new ConfigException(f, where, e.getMessage(), e);
        }
    }

    private static String dataKey(RunSpec spec) {
        return spec.data() == null ? "" : spec.data().id() + spec.data().params().values() + spec.base();
    }

    /** SHA-256 of the text the run learns from, so a changed data file changes the run's identity. */
    private static String dataFingerprint(String f, RunSpec spec, ComponentRegistry registry) {
        if (spec.data() == null) return sha256("");
        try {
            return sha256(registry.data(spec.data().id()).tokenizerText(spec.data().params(), spec.base()));
        } catch (IOException e) {
            throw new ConfigException(f, "base", "cannot read the data: " + e.getMessage(), e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- sizes ----------------------------------------------------------------------------------------

    /**
     * Each arm's parameter count, counted on the built model (vocabulary from the spec's tokenizer trained
     * on the data), and forward FLOPs per token as Kaplan et al. 2020 count them: 2·N + 2·layers·context·d_model,
     * N without embeddings.
     */
    public synchronized List<Size> sizes(ComponentRegistry registry) throws IOException {
        if (sizes == null) sizes = List.copyOf(countSizes(registry));
        return sizes;
    }

    private List<Size> countSizes(ComponentRegistry registry) throws IOException {
        Map<String, Integer> vocab = new HashMap<>();
        List<Size> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Run r : runs) {
            if (!seen.add(r.arm())) continue;
            RunSpec spec = r.spec();
            int v = spec.model().vocabSize();
            if (spec.tokenizer() != null && spec.data() != null && registry.tokenizer(spec.tokenizer().id()).trainable()) {
                String key = spec.tokenizer().id() + spec.tokenizer().params().values() + dataKey(spec);
                Integer known = vocab.get(key);
                if (known == null) {
                    String text = registry.data(spec.data().id()).tokenizerText(spec.data().params(), spec.base());
                    known = registry.tokenizer(spec.tokenizer().id()).train(text, spec.tokenizer().params()).vocabSize();
                    vocab.put(key, known);
                }
                v = known;
            }
            Model model = new ModelBuilder(registry).build(spec.model().withVocabSize(v), 0, null);
            long n = model.parameterCount(), embed = 0;
            for (var e : model.parameters().entrySet()) {
                if (e.getKey().contains("embed") || e.getKey().startsWith("lm_head.")) embed += e.getValue().numel();
            }
            var c = spec.model();
            long flops = 2 * (n - embed) + 2L * (c.encoderLayers() + c.decoderLayers()) * spec.run().context() * c.dModel();
            out.add(new Size(r.arm(), n, flops));
        }
        return out;
    }

    /** A warning when the largest and smallest parameter counts differ by more than the study's tolerance, else {@code null}. */
    public String parameterWarning(List<Size> sizes) {
        long min = Long.MAX_VALUE, max = 0;
        String small = "", large = "";
        for (Size z : sizes) {
            if (z.parameters() < min) { min = z.parameters(); small = z.arm(); }
            if (z.parameters() > max) { max = z.parameters(); large = z.arm(); }
        }
        double share = (max - min) / (double) min;
        if (share <= spec.parameterTolerance()) return null;
        return String.format(Locale.ROOT, "warning: arms differ in size by %.1f %% (%s %,d vs %s %,d parameters), more than parameter_tolerance %.1f %%;"
                + " a difference in results may come from size alone", 100 * share, large, max, small, min, 100 * spec.parameterTolerance());
    }
}
