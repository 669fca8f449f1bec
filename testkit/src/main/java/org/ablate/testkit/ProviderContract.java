package org.ablate.testkit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.ablate.api.ApiVersion;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionProvider;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ComponentProvider;
import org.ablate.api.KvCache;
import org.ablate.api.ParamSpec;
import org.ablate.api.ParameterScope;
import org.ablate.api.Params;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalEncodingProvider;
import org.ablate.api.PositionalSpec;
import org.ablate.platform.ParamValidation;
import org.ablate.tensor.Tensor;

/**
 * The provider contract, checked from a plugin's own tests in one line per provider:
 *
 * <pre>{@code
 * @Test void honoursTheContract() { ProviderContract.check(new SlidingWindowProvider()); }
 * }</pre>
 *
 * <p>Every provider is checked for a compatible {@link #spiVersion SPI version} and well-formed
 * {@link #parameters parameters}. Attention and positional-encoding providers are also built on small shapes and
 * checked for {@link #weightNames weight names}, {@link #determinism determinism under a seed},
 * {@link #gradients gradients against central differences} and {@link #cachedDecoding cached-versus-full decoding
 * parity}. Each check is public, so a test can run one with its own spec and parameters. A failed check is a JUnit
 * assertion failure whose message names the provider and what was expected.
 */
public final class ProviderContract {
    private ProviderContract() {}

    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9_]+");
    private static final int LENGTH = 5;

    // ------------------------------------------------------------------ one line per provider

    /** SPI version and parameters: the checks every kind of provider must pass (samplers, objectives, heads, data). */
    public static void check(ComponentProvider provider) {
        spiVersion(provider);
        parameters(provider, Map.of());
    }

    /** Every check, on a causal self-attention of width 8 with 2 heads, biases, and no positional encoding. */
    public static void check(AttentionProvider provider) {
        check(provider, new AttentionSpec(8, 2, 2, true, 0.0, false, new PositionalEncoding() {}), Map.of());
    }

    /**
     * Every check on the given layer shape and raw parameter values (as a config would give them; defaults fill
     * the rest). Use it to test with a positional encoding, grouped key/value heads or a non-default parameter.
     */
    public static void check(AttentionProvider provider, AttentionSpec spec, Map<String, ?> raw) {
        spiVersion(provider);
        Params params = parameters(provider, raw);
        weightNames(provider, spec, params);
        determinism(provider, spec, params);
        gradients(provider, spec, params);
        cachedDecoding(provider, spec, params);
    }

    /** Every check, for width 8, 2 heads of 4 and up to 16 positions. */
    public static void check(PositionalEncodingProvider provider) {
        check(provider, new PositionalSpec(8, 2, 4, 16), Map.of());
    }

    /** Every check on the given spec and raw parameter values. */
    public static void check(PositionalEncodingProvider provider, PositionalSpec spec, Map<String, ?> raw) {
        spiVersion(provider);
        Params params = parameters(provider, raw);
        weightNames(provider, spec, params);
        determinism(provider, spec, params);
        gradients(provider, spec, params);
        cachedDecoding(provider, spec, params);
    }

    // ------------------------------------------------------------------ every kind

    /** The id is lower case with dashes, the description is given, and the SPI version runs on this toolkit's. */
    public static void spiVersion(ComponentProvider provider) {
        String who = who(provider);
        if (provider.id() == null || !ID.matcher(provider.id()).matches()) {
            fail(who + ": id must be lower case words joined by dashes, e.g. \"sliding-window\"");
        }
        if (provider.description() == null || provider.description().isBlank()) fail(who + ": description() is blank");
        ApiVersion v = provider.apiVersion();
        assertNotNull(v, who + ": apiVersion() returned null");
        if (!v.isCompatibleWith(ApiVersion.current())) {
            fail(who + ": built against SPI " + v + ", which this toolkit (SPI " + ApiVersion.current()
                    + ") does not run; rebuild against the SPI of the toolkit it is meant for");
        }
    }

    /**
     * The declared parameters are well formed: unique names, each default of its type and within its own range,
     * choices containing their default, and a value just outside each declared bound refused with a message that
     * names the parameter. Returns the validated parameters for {@code raw} (required ones must be given there).
     */
    public static Params parameters(ComponentProvider provider, Map<String, ?> raw) {
        String who = who(provider);
        List<ParamSpec> specs = provider.parameters();
        assertNotNull(specs, who + ": parameters() returned null");
        Set<String> seen = new HashSet<>();
        for (ParamSpec s : specs) {
            if (!seen.add(s.name())) fail(who + ": parameter \"" + s.name() + "\" is declared twice");
            if (s.name().isBlank()) fail(who + ": a parameter has a blank name");
            if (s.min() != null && s.max() != null && s.min() > s.max()) {
                fail(who + ": parameter \"" + s.name() + "\" has an empty range " + s.rangeText());
            }
            if (s.type() == ParamSpec.Type.CHOICE && s.choices().isEmpty()) {
                fail(who + ": choice parameter \"" + s.name() + "\" declares no choices");
            }
            if (!s.required()) {
                try {
                    ParamValidation.validate(who, List.of(s), Map.of(s.name(), s.defaultValue()));
                } catch (IllegalArgumentException e) {
                    fail(who + ": the default of parameter \"" + s.name() + "\" is refused by its own declaration: " + e.getMessage());
                }
            }
            for (Object bad : outOfRange(s)) {
                try {
                    ParamValidation.validate(who, List.of(s), Map.of(s.name(), bad));
                    fail(who + ": parameter \"" + s.name() + "\" accepted " + bad + ", outside its range " + s.rangeText());
                } catch (IllegalArgumentException e) {
                    if (!e.getMessage().contains("\"" + s.name() + "\"")) {
                        fail(who + ": refusing " + bad + " for \"" + s.name() + "\" gave a message that does not name it: " + e.getMessage());
                    }
                }
            }
        }
        try {
            return ParamValidation.validate(who, specs, raw);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(who + ": the parameters given to the contract check do not validate: " + e.getMessage(), e);
        }
    }

    private static List<Object> outOfRange(ParamSpec s) {
        List<Object> out = new ArrayList<>();
        boolean integer = s.type() == ParamSpec.Type.INT;
        if (s.type() == ParamSpec.Type.INT || s.type() == ParamSpec.Type.DOUBLE) {
            if (s.min() != null) {
                double v = s.minInclusive() ? s.min() - (integer ? 1 : Math.max(1e-6, Math.abs(s.min()) * 1e-6)) : s.min();
                out.add(integer ? (Object) (long) v : (Object) v);
            }
            if (s.max() != null) {
                double v = s.maxInclusive() ? s.max() + (integer ? 1 : Math.max(1e-6, Math.abs(s.max()) * 1e-6)) : s.max();
                out.add(integer ? (Object) (long) v : (Object) v);
            }
        } else if (s.type() == ParamSpec.Type.CHOICE) {
            out.add("not-one-of-" + String.join("-", s.choices()));
        }
        return out;
    }

    // ------------------------------------------------------------------ weight names

    /**
     * Two layers built side by side under {@code layers.0.attn} and {@code layers.1.attn} of one root scope: each
     * registers its weights under its own scope only, with lower-case dotted names and no name twice.
     */
    public static void weightNames(AttentionProvider provider, AttentionSpec spec, Params params) {
        weightNames(who(provider), scope -> provider.create(spec, params, scope));
    }

    /** As {@link #weightNames(AttentionProvider, AttentionSpec, Params)}, for a positional encoding. */
    public static void weightNames(PositionalEncodingProvider provider, PositionalSpec spec, Params params) {
        weightNames(who(provider), scope -> provider.create(spec, params, scope));
    }

    private static void weightNames(String who, Function<ParameterScope, ?> build) {
        ParameterScope root = ParameterScope.root(1);
        Set<String> before = new HashSet<>();
        for (int layer = 0; layer < 2; layer++) {
            ParameterScope scope = root.child("layers").child(Integer.toString(layer)).child("attn");
            try {
                build.apply(scope);
            } catch (IllegalStateException e) {
                fail(who + ": building under \"" + scope.prefix() + "\" registered a name twice: " + e.getMessage());
            }
            Set<String> names = new HashSet<>(root.parameters().keySet());
            names.addAll(root.buffers().keySet());
            names.removeAll(before);
            for (String name : names) {
                if (!name.startsWith(scope.prefix() + ".")) {
                    fail(who + ": weight \"" + name + "\" was registered outside the provider's scope \"" + scope.prefix() + "\"");
                }
                for (String part : name.substring(scope.prefix().length() + 1).split("\\.", -1)) {
                    if (!SEGMENT.matcher(part).matches()) {
                        fail(who + ": weight \"" + name + "\" is not a dotted name of lower-case words, digits and underscores");
                    }
                }
            }
            before.addAll(names);
        }
    }

    // ------------------------------------------------------------------ determinism

    /**
     * Two builds from the same seed give the same weight names and bit-identical weights and outputs; a build from
     * another seed gives different weights (initialisers must draw from the scope, not from a generator of their own).
     */
    public static void determinism(AttentionProvider provider, AttentionSpec spec, Params params) {
        String who = who(provider);
        Tensor x = input(spec.dModel(), 11);
        determinism(who, seed -> {
            ParameterScope scope = ParameterScope.root(seed).child("attn");
            Attention a = provider.create(spec, params, scope);
            try (var g = Tensor.noGrad()) {
                return new Built(scope.parameters(), a.forward(x, x, AttentionMask.CAUSAL, null));
            }
        });
    }

    /** As {@link #determinism(AttentionProvider, AttentionSpec, Params)}, over embed, rotate and score bias. */
    public static void determinism(PositionalEncodingProvider provider, PositionalSpec spec, Params params) {
        String who = who(provider);
        Tensor x = input(spec.dModel(), 11);
        Tensor q = Tensor.randn(new SplittableRandom(12), 1f, 2, spec.heads(), LENGTH, spec.headDim());
        determinism(who, seed -> {
            ParameterScope scope = ParameterScope.root(seed).child("pos");
            PositionalEncoding p = provider.create(spec, params, scope);
            try (var g = Tensor.noGrad()) {
                Tensor bias = p.scoreBias(LENGTH, 0, LENGTH);
                Tensor out = Tensor.concat(List.of(p.embed(x, 0).reshape(-1), p.rotate(q, 0).reshape(-1),
                        bias == null ? Tensor.zeros(1) : bias.reshape(-1)), 0);
                return new Built(scope.parameters(), out);
            }
        });
    }

    private record Built(Map<String, Tensor> weights, Tensor output) {}

    private static void determinism(String who, java.util.function.LongFunction<Built> build) {
        Built a = build.apply(42), b = build.apply(42), c = build.apply(43);
        if (!a.weights().keySet().equals(b.weights().keySet())) {
            fail(who + ": two builds from seed 42 registered different weights: " + a.weights().keySet() + " and " + b.weights().keySet());
        }
        for (String name : a.weights().keySet()) {
            if (!Arrays.equals(a.weights().get(name).toArray(), b.weights().get(name).toArray())) {
                fail(who + ": weight \"" + name + "\" differs between two builds from seed 42");
            }
        }
        boolean anyDiffers = a.weights().isEmpty();
        for (String name : a.weights().keySet()) {
            float[] wa = a.weights().get(name).toArray(), wc = c.weights().get(name).toArray();
            boolean constant = true;
            for (float v : wa) constant &= v == wa[0];
            anyDiffers |= constant || !Arrays.equals(wa, wc);
        }
        if (!anyDiffers) fail(who + ": seeds 42 and 43 gave the same weights; initialisers must draw from the scope's generator");
        if (!Arrays.equals(a.output().toArray(), b.output().toArray())) {
            fail(who + ": two builds from seed 42 give different outputs for the same input" + firstDifference(a.output(), b.output()));
        }
    }

    // ------------------------------------------------------------------ gradients

    /**
     * The gradient of a fixed random projection of the output, with respect to the input and every registered
     * weight, agrees with central differences. Weights are redrawn with standard deviation 0.5 first, so that
     * gradients stand well above the float32 tolerance ({@code 2e-3 + 2e-2·|numeric|}).
     */
    public static void gradients(AttentionProvider provider, AttentionSpec spec, Params params) {
        ParameterScope scope = ParameterScope.root(3).child("attn");
        Attention a = provider.create(spec, params, scope);
        Tensor x = Tensor.randn(new SplittableRandom(5), 1f, 1, 4, spec.dModel()).requiresGrad(true);
        Tensor r = Tensor.randn(new SplittableRandom(6), 1f, 1, 4, spec.dModel());
        Map<String, Tensor> inputs = redrawn(scope.parameters(), 7);
        inputs.put("input", x);
        GradCheck.check(who(provider), () -> a.forward(x, x, AttentionMask.CAUSAL, null).mul(r).sum(), inputs, 2e-3, 2e-2);
    }

    /** As {@link #gradients(AttentionProvider, AttentionSpec, Params)}, through embed, rotate and score bias. */
    public static void gradients(PositionalEncodingProvider provider, PositionalSpec spec, Params params) {
        ParameterScope scope = ParameterScope.root(3).child("pos");
        PositionalEncoding p = provider.create(spec, params, scope);
        Tensor x = Tensor.randn(new SplittableRandom(5), 1f, 1, 3, spec.dModel()).requiresGrad(true);
        Tensor q = Tensor.randn(new SplittableRandom(6), 1f, 1, spec.heads(), 3, spec.headDim()).requiresGrad(true);
        Tensor rx = Tensor.randn(new SplittableRandom(8), 1f, 1, 3, spec.dModel());
        Tensor rq = Tensor.randn(new SplittableRandom(9), 1f, 1, spec.heads(), 3, spec.headDim());
        Map<String, Tensor> inputs = redrawn(scope.parameters(), 7);
        inputs.put("embed input", x);
        inputs.put("rotate input", q);
        GradCheck.check(who(provider), () -> {
            Tensor loss = p.embed(x, 2).mul(rx).sum().add(p.rotate(q, 2).mul(rq).sum());
            Tensor bias = p.scoreBias(3, 2, 5);
            return bias == null ? loss : loss.add(bias.mul(bias).sum());
        }, inputs, 2e-3, 2e-2);
    }

    private static Map<String, Tensor> redrawn(Map<String, Tensor> weights, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : weights.entrySet()) {
            Tensor t = e.getValue();
            if (!t.isContiguous()) continue;
            float[] d = t.data();
            for (int i = 0; i < t.numel(); i++) d[t.offset() + i] = (float) (random.nextGaussian() * 0.5);
            out.put(e.getKey(), t);
        }
        return out;
    }

    // ------------------------------------------------------------------ cached decoding

    /**
     * Decoding with a {@link KvCache} (a prefix of two tokens, then one token at a time) gives the outputs of one
     * causal pass over the whole sequence, position by position, within {@code 1e-4 + 1e-4·|full|}.
     */
    public static void cachedDecoding(AttentionProvider provider, AttentionSpec spec, Params params) {
        String who = who(provider);
        if (spec.cross()) fail(who + ": cached decoding parity is checked for self-attention; pass a spec with cross = false");
        Attention a = provider.create(spec, params, ParameterScope.root(4).child("attn"));
        Tensor x = input(spec.dModel(), 13);
        try (var g = Tensor.noGrad()) {
            Tensor full = a.forward(x, x, AttentionMask.CAUSAL, null);
            KvCache cache = KvCache.create(2);
            List<Tensor> steps = new ArrayList<>();
            Tensor prefix = x.slice(1, 0, 2);
            steps.add(a.forward(prefix, prefix, AttentionMask.CAUSAL, cache));
            for (int t = 2; t < LENGTH; t++) {
                Tensor step = x.slice(1, t, t + 1);
                steps.add(a.forward(step, step, AttentionMask.CAUSAL, cache));
            }
            if (cache.length() != LENGTH) fail(who + ": after " + LENGTH + " decoded positions the cache holds " + cache.length());
            compare(who + ": cached decoding differs from the full causal pass", full, Tensor.concat(steps, 1), 1);
        }
    }

    /**
     * Each position encoded on its own at its offset gives the same numbers as the whole sequence at offset 0: the
     * embedding, the rotation, and the score-bias row of a single query over the keys so far.
     */
    public static void cachedDecoding(PositionalEncodingProvider provider, PositionalSpec spec, Params params) {
        String who = who(provider);
        PositionalEncoding p = provider.create(spec, params, ParameterScope.root(4).child("pos"));
        Tensor x = input(spec.dModel(), 13);
        Tensor q = Tensor.randn(new SplittableRandom(14), 1f, 2, spec.heads(), LENGTH, spec.headDim());
        try (var g = Tensor.noGrad()) {
            Tensor fullEmbed = p.embed(x, 0), fullRotate = p.rotate(q, 0), fullBias = p.scoreBias(LENGTH, 0, LENGTH);
            for (int t = 0; t < LENGTH; t++) {
                compare(who + ": embed at offset " + t + " differs from position " + t + " of the full sequence",
                        fullEmbed.slice(1, t, t + 1), p.embed(x.slice(1, t, t + 1), t), 1);
                compare(who + ": rotate at offset " + t + " differs from position " + t + " of the full sequence",
                        fullRotate.slice(2, t, t + 1), p.rotate(q.slice(2, t, t + 1), t), 2);
                Tensor bias = p.scoreBias(1, t, t + 1);
                if ((bias == null) != (fullBias == null)) fail(who + ": scoreBias is null for some calls but not others");
                if (bias != null) {
                    compare(who + ": the score bias of one query at offset " + t + " differs from row " + t + " of the full bias",
                            fullBias.slice(1, t, t + 1).slice(2, 0, t + 1), bias, 1);
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Tensor input(int dModel, long seed) {
        return Tensor.randn(new SplittableRandom(seed), 1f, 2, LENGTH, dModel);
    }

    private static void compare(String what, Tensor expected, Tensor actual, int positionDim) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            fail(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - a[i]) <= 1e-4 + 1e-4 * Math.abs(e[i]))) {
                fail(what + " (position " + position(expected.shape(), i, positionDim) + ", flat index " + i + ": "
                        + a[i] + ", expected " + e[i] + ")");
            }
        }
    }

    private static int position(int[] shape, int flat, int dim) {
        int inner = 1;
        for (int d = dim + 1; d < shape.length; d++) inner *= shape[d];
        return (flat / inner) % shape[dim];
    }

    private static String firstDifference(Tensor a, Tensor b) {
        float[] x = a.toArray(), y = b.toArray();
        if (x.length != y.length) return " (sizes " + x.length + " and " + y.length + ")";
        for (int i = 0; i < x.length; i++) if (Float.compare(x[i], y[i]) != 0) return " (flat index " + i + ": " + x[i] + " and " + y[i] + ")";
        return "";
    }

    private static String who(ComponentProvider p) {
        return "provider \"" + p.id() + "\" (" + p.getClass().getName() + ")";
    }
}
