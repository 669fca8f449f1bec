package org.ablate.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.ablate.models.config.ConfigException;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.optim.AdamW;
import org.ablate.tensor.optim.Optimizer;
import org.ablate.tensor.optim.ParamGroup;
import org.ablate.tensor.optim.Sgd;

/**
 * The optimizer's parameter groups from the spec's name patterns ({@code *} matches any run of
 * characters, dots included; {@code ?} one character): frozen parameters stop requiring gradients and
 * get no optimizer state; the rest are grouped by weight decay (off for {@code no_decay} matches) and
 * learning-rate multiplier (the first matching {@code lr_multipliers} pattern).
 */
public final class ParameterGroups {
    /** @param trainable parameters the optimizer updates, by name; {@code frozen} those it leaves alone */
    public record Split(Map<String, Tensor> trainable, Map<String, Tensor> frozen, List<ParamGroup> groups) {
        public long trainableCount() { return trainable.values().stream().mapToLong(Tensor::numel).sum(); }

        public long frozenCount() { return frozen.values().stream().mapToLong(Tensor::numel).sum(); }
    }

    private ParameterGroups() {}

    public static Split split(Map<String, Tensor> params, RunSpec.Optim optim, String file) {
        List<Pattern> freeze = patterns(optim.freeze(), params, file, "optim.freeze", true);
        List<Pattern> noDecay = patterns(optim.noDecay(), params, file, "optim.no_decay", false);
        List<String> multKeys = new ArrayList<>(optim.lrMultipliers().keySet());
        List<Pattern> mult = patterns(multKeys, params, file, "optim.lr_multipliers", true);
        Map<String, Tensor> trainable = new LinkedHashMap<>(), frozen = new LinkedHashMap<>();
        Map<String, List<Tensor>> byGroup = new LinkedHashMap<>();
        Map<String, ParamGroup> template = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            String name = e.getKey();
            if (matchesAny(freeze, name)) {
                e.getValue().requiresGrad(false);
                frozen.put(name, e.getValue());
                continue;
            }
            trainable.put(name, e.getValue());
            boolean decay = !matchesAny(noDecay, name);
            double m = 1;
            for (int i = 0; i < mult.size(); i++) if (mult.get(i).matcher(name).matches()) { m = optim.lrMultipliers().get(multKeys.get(i)); break; }
            String key = decay + "/" + m;
            byGroup.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getValue());
            template.putIfAbsent(key, new ParamGroup(List.of(), m, decay));
        }
        List<ParamGroup> groups = new ArrayList<>();
        byGroup.forEach((k, list) -> groups.add(new ParamGroup(list, template.get(k).lrMultiplier(), template.get(k).weightDecay())));
        return new Split(trainable, frozen, groups);
    }

    /** The spec's optimizer over {@code split}'s groups. */
    public static Optimizer optimizer(RunSpec.Optim optim, Split split) {
        return switch (optim.id()) {
            case "sgd" -> new Sgd(split.groups(), optim.lr(), optim.momentum(), optim.weightDecay());
            default -> new AdamW(split.groups(), optim.lr(), optim.betas().get(0), optim.betas().get(1), optim.eps(), optim.weightDecay());
        };
    }

    /** A glob as a regex over whole names. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static List<Pattern> patterns(List<String> globs, Map<String, Tensor> params, String file, String field, boolean mustMatch) {
        List<Pattern> out = new ArrayList<>();
        for (int i = 0; i < globs.size(); i++) {
            Pattern p = glob(globs.get(i));
            if (mustMatch && params.keySet().stream().noneMatch(n -> p.matcher(n).matches())) {
                List<String> some = params.keySet().stream().limit(6).toList();
                throw new ConfigException(file, field + (field.endsWith("multipliers") ? "." + globs.get(i) : "." + i),
                        "the pattern \"" + globs.get(i) + "\" matches no parameter; names look like " + String.join(", ", some)
                                + " (* matches any characters, dots included)");
            }
            out.add(p);
        }
        return out;
    }

    private static boolean matchesAny(List<Pattern> ps, String name) {
        for (Pattern p : ps) if (p.matcher(name).matches()) return true;
        return false;
    }
}
