package org.ablate.models.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ablate.api.ComponentKind;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.Tensor;

/**
 * Logits processors applied in order, then a pick. A chain whose last step does not pick ends in the
 * {@code sample} provider's seeded draw; a picking step anywhere but last is refused.
 */
public final class SamplerChain {
    private final List<Sampler> processors;
    private final Sampler picker;
    private final String description;

    private SamplerChain(List<Sampler> processors, Sampler picker, String description) {
        this.processors = List.copyOf(processors);
        this.picker = picker;
        this.description = description;
    }

    /** One step of a chain as written in a config or on the command line: an id and its raw parameters. */
    public record Step(String id, Map<String, ?> params) {}

    /**
     * Builds a chain from discovered providers; parameters are validated against each provider's
     * declared ranges, so e.g. {@code temperature 0} fails here, naming the parameter.
     */
    public static SamplerChain of(ComponentRegistry registry, List<Step> steps) {
        List<Sampler> processors = new ArrayList<>();
        Sampler picker = null;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            Sampler sampler = registry.sampler(s.id()).create(registry.params(ComponentKind.SAMPLER, s.id(), s.params()));
            names.add(describe(s));
            if (sampler.picks()) {
                if (i != steps.size() - 1) {
                    throw new IllegalArgumentException("sampler chain: \"" + s.id() + "\" picks tokens, so it must be the last step, but "
                            + (steps.size() - 1 - i) + " step(s) follow it");
                }
                picker = sampler;
            } else {
                processors.add(sampler);
            }
        }
        if (picker == null) {
            picker = registry.sampler("sample").create(registry.params(ComponentKind.SAMPLER, "sample", Map.of()));
            names.add("sample");
        }
        return new SamplerChain(processors, picker, String.join(" -> ", names));
    }

    /** A step as {@link #parse} reads it ({@code top-p:p=0.9}), so a printed chain can be given back to --sampler. */
    static String describe(Step step) {
        StringBuilder out = new StringBuilder(step.id());
        String sep = ":";
        for (var e : step.params().entrySet()) {
            out.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ";";
        }
        return out.toString();
    }

    /**
     * Parses {@code "temperature:value=0.8,top-p:p=0.9"} style text: steps separated by commas or
     * {@code ->}, each {@code id} optionally followed by {@code :name=value} pairs joined with {@code ;}.
     */
    public static List<Step> parse(String text) {
        List<Step> steps = new ArrayList<>();
        for (String part : text.split(",|->")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            int colon = p.indexOf(':');
            String id = colon < 0 ? p : p.substring(0, colon).strip();
            Map<String, Object> params = new java.util.LinkedHashMap<>();
            if (colon >= 0) {
                for (String kv : p.substring(colon + 1).split(";")) {
                    if (kv.isBlank()) continue;
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("sampler \"" + id + "\": expected name=value, got \"" + kv.strip() + "\"");
                    }
                    params.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
                }
            }
            steps.add(new Step(id, params));
        }
        if (steps.isEmpty()) throw new IllegalArgumentException("sampler chain is empty; e.g. \"greedy\" or \"temperature:value=0.8,top-p:p=0.9\"");
        return steps;
    }

    /** Processes {@code logits [N, V]} through the chain and picks one token per row. */
    public int[] next(Tensor logits, SamplingContext context) {
        Tensor x = logits;
        for (Sampler s : processors) x = s.process(x, context);
        return picker.pick(x, context);
    }

    @Override public String toString() { return description; }
}
