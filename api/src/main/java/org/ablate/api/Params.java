package org.ablate.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider's parameters after validation against its {@link ParamSpec}s (done by the platform's {@code ParamValidation}): every declared name has a
 * value of the declared type (defaults filled in), and no undeclared name is present.
 */
@Stable
public record Params(Map<String, Object> values) {

    public Params {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Params empty() { return new Params(Map.of()); }

    public int getInt(String name) { return ((Number) require(name)).intValue(); }
    public double getDouble(String name) { return ((Number) require(name)).doubleValue(); }
    public boolean getBoolean(String name) { return (Boolean) require(name); }
    public String getString(String name) { Object v = values.get(name); return v == null ? null : v.toString(); }
    public boolean has(String name) { return values.get(name) != null; }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) throw new IllegalArgumentException("parameter \"" + name + "\" has no value; declared: " + values.keySet());
        return v;
    }
}
