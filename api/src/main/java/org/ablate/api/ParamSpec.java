package org.ablate.api;

import java.util.List;
import java.util.Objects;

/**
 * Declares one parameter a provider accepts: its name as written in configs, type, default and
 * allowed range. The registry validates a config against these before creating anything.
 *
 * @param name          config key, e.g. {@code "p"} or {@code "theta"}
 * @param type          value type
 * @param defaultValue  value used when the config omits it; {@code null} means required
 * @param min           lower bound for numbers, or {@code null}
 * @param minInclusive  whether {@code min} itself is allowed
 * @param max           upper bound for numbers, or {@code null}
 * @param maxInclusive  whether {@code max} itself is allowed
 * @param choices       allowed values for {@link Type#CHOICE}, else empty
 * @param description   one line for {@code ablate components} and the docs
 */
@Stable
public record ParamSpec(String name, Type type, Object defaultValue, Double min, boolean minInclusive,
                        Double max, boolean maxInclusive, List<String> choices, String description) {

    /** Value types a parameter may have. */
    public enum Type { INT, DOUBLE, BOOLEAN, STRING, CHOICE, PATH }

    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        choices = choices == null ? List.of() : List.copyOf(choices);
        description = description == null ? "" : description;
    }

    public static ParamSpec integer(String name, Integer dflt, Integer min, Integer max, String description) {
        return new ParamSpec(name, Type.INT, dflt, min == null ? null : min.doubleValue(), true,
                max == null ? null : max.doubleValue(), true, List.of(), description);
    }

    /** A real number within {@code [min, max]}, either bound exclusive as asked. */
    public static ParamSpec real(String name, Double dflt, Double min, boolean minInclusive, Double max,
                                 boolean maxInclusive, String description) {
        return new ParamSpec(name, Type.DOUBLE, dflt, min, minInclusive, max, maxInclusive, List.of(), description);
    }

    public static ParamSpec bool(String name, boolean dflt, String description) {
        return new ParamSpec(name, Type.BOOLEAN, dflt, null, true, null, true, List.of(), description);
    }

    public static ParamSpec text(String name, String dflt, String description) {
        return new ParamSpec(name, Type.STRING, dflt, null, true, null, true, List.of(), description);
    }

    public static ParamSpec path(String name, String dflt, String description) {
        return new ParamSpec(name, Type.PATH, dflt, null, true, null, true, List.of(), description);
    }

    public static ParamSpec choice(String name, String dflt, List<String> choices, String description) {
        return new ParamSpec(name, Type.CHOICE, dflt, null, true, null, true, choices, description);
    }

    public boolean required() { return defaultValue == null; }

    /** The allowed range in interval notation, e.g. {@code (0, 1]}, or {@code ""} when unbounded. */
    public String rangeText() {
        if (type == Type.CHOICE) return "one of " + String.join(", ", choices);
        if (min == null && max == null) return "";
        return (min == null ? "(-inf" : (minInclusive ? "[" : "(") + fmt(min)) + ", "
                + (max == null ? "inf)" : fmt(max) + (maxInclusive ? "]" : ")"));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
