package org.ablate.platform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;

/** Checks raw config values against a provider's declared {@link ParamSpec}s and fills in defaults. */
public final class ParamValidation {
    private ParamValidation() {}

    /**
     * Checks {@code raw} (as read from a config) against {@code specs} and fills in defaults.
     *
     * @param where names the component in messages, e.g. {@code attention "multi-head"}
     * @throws IllegalArgumentException naming the parameter, the expected type or range and the value given
     */
    public static Params validate(String where, List<ParamSpec> specs, Map<String, ?> raw) {
        Map<String, ParamSpec> byName = new TreeMap<>();
        for (ParamSpec s : specs) byName.put(s.name(), s);
        for (String key : raw.keySet()) {
            if (!byName.containsKey(key)) {
                String hint = Suggest.closest(key, byName.keySet()).map(s -> "; did you mean \"" + s + "\"?").orElse("");
                throw new IllegalArgumentException(where + ": unknown parameter \"" + key + "\"; known: "
                        + (byName.isEmpty() ? "(none)" : String.join(", ", byName.keySet())) + hint);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            Object v = raw.get(s.name());
            if (v == null) {
                if (s.required()) throw new IllegalArgumentException(where + ": parameter \"" + s.name() + "\" is required (" + s.description() + ")");
                out.put(s.name(), s.defaultValue());
                continue;
            }
            out.put(s.name(), coerce(where, s, v));
        }
        return new Params(out);
    }

    private static Object coerce(String where, ParamSpec s, Object v) {
        String bad = where + ": parameter \"" + s.name() + "\" ";
        switch (s.type()) {
            case INT -> {
                long n;
                if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) n = num.longValue();
                else if (v instanceof String str && str.trim().matches("-?\\d+")) n = Long.parseLong(str.trim());
                else throw new IllegalArgumentException(bad + "must be an integer, got " + describe(v));
                checkRange(bad, s, n);
                if (n != (int) n) throw new IllegalArgumentException(bad + "must be an integer within ±2^31, got " + describe(v));
                return (int) n;
            }
            case DOUBLE -> {
                double d;
                if (v instanceof Number num) d = num.doubleValue();
                else {
                    try { d = Double.parseDouble(v.toString().trim()); }
                    catch (NumberFormatException e) { throw new IllegalArgumentException(bad + "must be a number, got " + describe(v)); }
                }
                if (Double.isNaN(d)) throw new IllegalArgumentException(bad + "must be a number, got NaN");
                checkRange(bad, s, d);
                return d;
            }
            case BOOLEAN -> {
                if (v instanceof Boolean b) return b;
                if ("true".equals(v) || "false".equals(v)) return Boolean.parseBoolean((String) v);
                throw new IllegalArgumentException(bad + "must be true or false, got " + describe(v));
            }
            case CHOICE -> {
                String str = v.toString();
                if (!s.choices().contains(str)) {
                    String hint = Suggest.closest(str, s.choices()).map(c -> "; did you mean \"" + c + "\"?").orElse("");
                    throw new IllegalArgumentException(bad + "must be " + s.rangeText() + ", got \"" + str + "\"" + hint);
                }
                return str;
            }
            default -> {
                if (v instanceof Map || v instanceof List) throw new IllegalArgumentException(bad + "must be a string, got " + describe(v));
                return v.toString();
            }
        }
    }

    private static void checkRange(String bad, ParamSpec s, double x) {
        boolean lowOk = s.min() == null || (s.minInclusive() ? x >= s.min() : x > s.min());
        boolean highOk = s.max() == null || (s.maxInclusive() ? x <= s.max() : x < s.max());
        if (!lowOk || !highOk) {
            String shown = x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
            throw new IllegalArgumentException(bad + "must be in " + s.rangeText() + ", got " + shown);
        }
    }

    private static String describe(Object v) {
        return v instanceof String ? "\"" + v + "\"" : v + " (" + v.getClass().getSimpleName().toLowerCase() + ")";
    }

}
