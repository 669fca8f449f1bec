package org.ablate.platform;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.LayerInstantiationException;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.ablate.api.ApiVersion;
import org.ablate.api.AttentionProvider;
import org.ablate.api.BlockProvider;
import org.ablate.api.DataSourceProvider;
import org.ablate.api.HeadProvider;
import org.ablate.api.ObjectiveProvider;
import org.ablate.api.ComponentKind;
import org.ablate.api.ComponentProvider;
import org.ablate.api.ConformanceKind;
import org.ablate.api.FeedForwardProvider;
import org.ablate.api.NormProvider;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncodingProvider;
import org.ablate.api.SamplerProvider;
import org.ablate.platform.Suggest;
import org.ablate.api.TokenizerProvider;

/**
 * Every component provider that {@link ServiceLoader} finds in the boot layer (or on the class path)
 * and in any extra module layers, such as a plugins folder. Ids are unique per kind: two providers
 * with the same id stop discovery with a message naming both modules.
 *
 * <p>Immutable once built; safe to share between threads.
 */
public final class ComponentRegistry {
    private final Map<ComponentKind, Map<String, RegisteredProvider>> byKind;
    private final List<ModuleLayer> layers;
    private final List<String> skipped;

    private ComponentRegistry(Map<ComponentKind, Map<String, RegisteredProvider>> byKind, List<ModuleLayer> layers, List<String> skipped) {
        this.byKind = byKind;
        this.layers = List.copyOf(layers);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * One line for each plugin provider that could not be loaded or created and was left out (a plugin's fault
     * must not disable the toolkit or the other plugins); empty when all loaded. Commands print these.
     */
    public List<String> skipped() { return skipped; }

    /** The extra module layers (plugins) the providers were discovered in, for services above the SPI (e.g. run plugins). */
    public List<ModuleLayer> layers() { return layers; }

    /** Providers of the boot layer and the class path. */
    public static ComponentRegistry discover() { return discover(List.of()); }

    /** Providers of the boot layer, the class path and {@code layers}. */
    public static ComponentRegistry discover(List<ModuleLayer> layers) {
        List<RegisteredProvider> found = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (ComponentKind kind : ComponentKind.values()) {
            Set<Class<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            List<ServiceLoader<? extends ComponentProvider>> loaders = new ArrayList<>();
            loaders.add(ServiceLoader.load(kind.providerType(), ComponentRegistry.class.getClassLoader()));
            for (ModuleLayer layer : layers) loaders.add(ServiceLoader.load(layer, kind.providerType()));
            for (int i = 0; i < loaders.size(); i++) {
                boolean plugin = i > 0;
                List<? extends ServiceLoader.Provider<? extends ComponentProvider>> providers;
                try {
                    providers = iterate(loaders.get(i), kind);
                } catch (IllegalStateException e) {
                    if (!plugin) throw e;
                    skipped.add(e.getMessage());
                    continue;
                }
                for (ServiceLoader.Provider<? extends ComponentProvider> p : providers) {
                    if (!seen.add(p.type())) continue; // a layer's parents are searched too
                    RegisteredProvider reg;
                    try {
                        reg = new RegisteredProvider(kind, instantiate(p, kind), moduleName(p.type()));
                        if (plugin) checkId(reg);
                    } catch (IllegalStateException e) {
                        if (!plugin) throw e;
                        skipped.add(e.getMessage() + "; left out");
                        continue;
                    }
                    if (plugin && found.stream().anyMatch(f -> f.kind() == reg.kind() && f.id().equals(reg.id()))) {
                        skipped.add(reg.kind().label() + " provider " + p.type().getName() + " in module " + reg.module()
                                + " has the id \"" + reg.id() + "\", which another module already provides; left out");
                        continue;
                    }
                    found.add(reg);
                }
            }
        }
        return of(found, layers, skipped);
    }

    /**
     * A registry of exactly these providers (discovery uses it; so can tests and embedders).
     *
     * @throws IllegalStateException if two providers of one kind share an id, naming both modules
     */
    public static ComponentRegistry of(List<RegisteredProvider> providers) { return of(providers, List.of(), List.of()); }

    private static ComponentRegistry of(List<RegisteredProvider> providers, List<ModuleLayer> layers, List<String> skipped) {
        Map<ComponentKind, Map<String, RegisteredProvider>> byKind = new EnumMap<>(ComponentKind.class);
        for (ComponentKind kind : ComponentKind.values()) byKind.put(kind, new TreeMap<>());
        for (RegisteredProvider reg : providers) {
            if (!reg.kind().providerType().isInstance(reg.provider())) {
                throw new IllegalArgumentException(reg.provider().getClass().getName() + " is not a " + reg.kind().providerType().getSimpleName());
            }
            checkId(reg);
            RegisteredProvider clash = byKind.get(reg.kind()).putIfAbsent(reg.id(), reg);
            if (clash != null) {
                throw new IllegalStateException("two " + reg.kind().label() + " providers share the id \"" + reg.id()
                        + "\": " + clash.provider().getClass().getName() + " in module " + clash.module()
                        + " and " + reg.provider().getClass().getName() + " in module " + reg.module()
                        + "; remove one of the modules or rename one id");
            }
        }
        byKind.replaceAll((k, m) -> Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        return new ComponentRegistry(byKind, layers, skipped);
    }

    /** The prefix of ids reserved for the toolkit's own modules. */
    public static final String RESERVED_PREFIX = "ablate-";

    /** Ids are non-empty lower-case words with dashes; {@code ablate-} ids belong to {@code org.ablate.*} modules only. */
    private static void checkId(RegisteredProvider reg) {
        String id = reg.provider().id();
        String who = reg.kind().label() + " provider " + reg.provider().getClass().getName() + " in module " + reg.module();
        if (id == null || !id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalStateException(who + " has the id " + (id == null ? "null" : "\"" + id + "\"")
                    + "; expected lower-case letters, digits and dashes, e.g. \"my-attention\"");
        }
        if (id.startsWith(RESERVED_PREFIX) && !reg.module().startsWith("org.ablate.")) {
            throw new IllegalStateException(who + " uses the id \"" + id + "\", but ids starting with \"" + RESERVED_PREFIX
                    + "\" are reserved for the toolkit's own modules; rename it");
        }
    }

    /**
     * The plugins of a folder: a module layer of every jar (or exploded module) in it that can be read and
     * resolved, and one line for each that cannot (corrupt, empty, not a module, needing a module that is
     * missing, clashing with another), which is left out instead of failing the rest.
     */
    public record Plugins(ModuleLayer layer, List<String> skipped) {}

    /**
     * Loads {@code pluginsDir} as {@link Plugins}: each entry is checked on its own, then the good ones are
     * resolved together (one at a time, in name order, so a plugin that breaks resolution is the one left out).
     *
     * @throws IOException only if the folder itself is missing or unreadable
     */
    public static Plugins loadPlugins(Path pluginsDir) throws IOException {
        if (!Files.isDirectory(pluginsDir)) throw new IOException(pluginsDir + ": plugins folder does not exist");
        List<Path> entries;
        try (var s = Files.list(pluginsDir)) {
            entries = s.filter(p -> Files.isDirectory(p) || p.toString().endsWith(".jar")).sorted().toList();
        }
        List<String> skipped = new ArrayList<>();
        List<Path> readable = new ArrayList<>();
        for (Path e : entries) {
            try {
                if (ModuleFinder.of(e).findAll().isEmpty()) {
                    skipped.add(e + ": holds no module; left out");
                    continue;
                }
                readable.add(e);
            } catch (FindException | SecurityException | java.io.UncheckedIOException ex) {
                skipped.add(e + ": cannot read the plugin: " + rootMessage(ex) + "; left out");
            }
        }
        List<Path> accepted = new ArrayList<>();
        List<Path> pending = new ArrayList<>(readable);
        Map<Path, String> lastError = new LinkedHashMap<>();
        for (boolean progress = true; progress && !pending.isEmpty(); ) { // a plugin may need one later in name order
            progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                Path e = it.next();
                List<Path> trial = new ArrayList<>(accepted);
                trial.add(e);
                try {
                    resolve(trial);
                    accepted.add(e);
                    it.remove();
                    progress = true;
                } catch (FindException | java.lang.module.ResolutionException | LayerInstantiationException | SecurityException ex) {
                    lastError.put(e, rootMessage(ex));
                }
            }
        }
        for (Path e : pending) skipped.add(e + ": cannot load the plugin: " + lastError.get(e) + "; left out");
        return new Plugins(resolve(accepted), skipped);
    }

    /**
     * Providers of the boot layer, the class path and the plugins folder {@code pluginsDir}: each plugin that cannot
     * be loaded, and each provider that cannot be created, is left out and reported to {@code skipped} in one line.
     *
     * @throws IOException only if the folder itself is missing or unreadable
     */
    public static ComponentRegistry discover(Path pluginsDir, java.util.function.Consumer<String> skipped) throws IOException {
        Plugins loaded = loadPlugins(pluginsDir);
        ComponentRegistry registry = discover(List.of(loaded.layer()));
        loaded.skipped().forEach(skipped);
        registry.skipped().forEach(skipped);
        return registry;
    }

    private static ModuleLayer resolve(List<Path> entries) {
        ModuleFinder finder = ModuleFinder.of(entries.toArray(Path[]::new));
        Set<String> roots = finder.findAll().stream().map(r -> r.descriptor().name()).collect(Collectors.toSet());
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
        return boot.defineModulesWithOneLoader(cf, ComponentRegistry.class.getClassLoader());
    }

    private static String rootMessage(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static <P> List<ServiceLoader.Provider<P>> iterate(ServiceLoader<P> loader, ComponentKind kind) {
        try {
            return loader.stream().toList();
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load " + kind.label() + " providers: " + e.getMessage(), e);
        }
    }

    private static ComponentProvider instantiate(ServiceLoader.Provider<? extends ComponentProvider> p, ComponentKind kind) {
        try {
            return p.get();
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new IllegalStateException("cannot create " + kind.label() + " provider " + p.type().getName()
                    + " from module " + moduleName(p.type()) + ": " + e.getMessage(), e);
        }
    }

    private static String moduleName(Class<?> type) {
        Module m = type.getModule();
        return m.isNamed() ? m.getName() : "class path";
    }

    /**
     * The conformance case kinds that modules and plugins register ({@link ConformanceKind}), by kind name,
     * from the same class path and layers as the providers.
     *
     * @throws IllegalStateException if two modules check the same kind, naming both
     */
    public Map<String, ConformanceKind> conformanceKinds() {
        Map<String, ConformanceKind> out = new TreeMap<>();
        Set<Class<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<ServiceLoader<ConformanceKind>> loaders = new ArrayList<>();
        loaders.add(ServiceLoader.load(ConformanceKind.class, ComponentRegistry.class.getClassLoader()));
        for (ModuleLayer layer : layers) loaders.add(ServiceLoader.load(layer, ConformanceKind.class));
        for (ServiceLoader<ConformanceKind> loader : loaders) {
            for (ServiceLoader.Provider<ConformanceKind> p : loader.stream().toList()) {
                if (!seen.add(p.type())) continue;
                ConformanceKind k = p.get();
                ConformanceKind clash = out.putIfAbsent(k.kind(), k);
                if (clash != null) {
                    throw new IllegalStateException("two modules check conformance cases of kind \"" + k.kind() + "\": "
                            + clash.getClass().getName() + " in module " + moduleName(clash.getClass())
                            + " and " + p.type().getName() + " in module " + moduleName(p.type()));
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Every provider, grouped by kind (in {@link ComponentKind} order), then by id. */
    public List<RegisteredProvider> all() {
        List<RegisteredProvider> out = new ArrayList<>();
        byKind.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** The ids known for {@code kind}, sorted. */
    public List<String> ids(ComponentKind kind) { return List.copyOf(byKind.get(kind).keySet()); }

    /**
     * The provider of {@code kind} with {@code id}.
     *
     * @throws UnknownComponentException listing the known ids and the closest match
     * @throws IllegalStateException     if the provider was built against an incompatible SPI version
     */
    public RegisteredProvider find(ComponentKind kind, String id) {
        RegisteredProvider reg = byKind.get(kind).get(id);
        if (reg == null) {
            List<String> known = ids(kind);
            String hint = Suggest.closest(id, known).map(s -> "; did you mean \"" + s + "\"?").orElse("");
            throw new UnknownComponentException("unknown " + kind.label() + " \"" + id + "\"; known: "
                    + (known.isEmpty() ? "(none)" : String.join(", ", known)) + hint);
        }
        ApiVersion built = reg.provider().apiVersion();
        if (!reg.compatible()) {
            throw new IllegalStateException(kind.label() + " \"" + id + "\" from module " + reg.module()
                    + " was built against Ablate SPI " + built + ", but this runtime provides SPI " + ApiVersion.current()
                    + " (compatible: same major version, minor at most " + ApiVersion.MINOR + "); rebuild the plugin");
        }
        return reg;
    }

    /** Validates raw config values against the provider's declared parameters. */
    public Params params(ComponentKind kind, String id, Map<String, ?> raw) {
        ComponentProvider p = find(kind, id).provider();
        return ParamValidation.validate(kind.label() + " \"" + id + "\"", p.parameters(), raw);
    }

    public AttentionProvider attention(String id) { return (AttentionProvider) find(ComponentKind.ATTENTION, id).provider(); }
    public PositionalEncodingProvider positional(String id) { return (PositionalEncodingProvider) find(ComponentKind.POSITIONAL_ENCODING, id).provider(); }
    public NormProvider norm(String id) { return (NormProvider) find(ComponentKind.NORM, id).provider(); }
    public FeedForwardProvider feedForward(String id) { return (FeedForwardProvider) find(ComponentKind.FEED_FORWARD, id).provider(); }
    public SamplerProvider sampler(String id) { return (SamplerProvider) find(ComponentKind.SAMPLER, id).provider(); }
    public TokenizerProvider tokenizer(String id) { return (TokenizerProvider) find(ComponentKind.TOKENIZER, id).provider(); }
    public BlockProvider block(String id) { return (BlockProvider) find(ComponentKind.BLOCK, id).provider(); }
    public HeadProvider head(String id) { return (HeadProvider) find(ComponentKind.HEAD, id).provider(); }
    public ObjectiveProvider objective(String id) { return (ObjectiveProvider) find(ComponentKind.OBJECTIVE, id).provider(); }
    public DataSourceProvider data(String id) { return (DataSourceProvider) find(ComponentKind.DATA, id).provider(); }

}
