package org.ablate.models.hf;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.ablate.models.config.Component;

/** Reading and writing {@code config.json} fields, shared by the families. */
final class HfConfigs {
    private HfConfigs() {}

    static int req(JsonNode n, String key) {
        JsonNode v = n.path(key);
        if (!v.isIntegralNumber()) throw new IllegalArgumentException("config.json: \"" + key + "\" must be an integer, got " + v);
        return v.intValue();
    }

    static int intOr(JsonNode n, String key, int dflt) {
        JsonNode v = n.path(key);
        return v.isIntegralNumber() ? v.intValue() : dflt;
    }

    /** A component map ({@code id} and parameters) as config files give it. */
    static Map<String, Object> comp(String id, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** Our activation for a Hugging Face {@code hidden_act} / {@code activation_function}. */
    static String activation(String hfName) {
        return switch (hfName) {
            case "gelu" -> "gelu";
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> "gelu-tanh";
            case "relu" -> "relu";
            case "silu", "swish" -> "silu";
            default -> throw new IllegalArgumentException("config.json: activation \"" + hfName + "\" is not supported; expected gelu, gelu_new, relu, silu or swish");
        };
    }

    /** The Hugging Face name of our activation (an unknown one is written as is and refused on reading back). */
    static String hfActivation(String ours) {
        if (ours == null) return "gelu";
        return switch (ours) {
            case "gelu-tanh" -> "gelu_new";
            default -> ours;
        };
    }

    /** A real parameter of a component, or {@code dflt} when it has none. */
    static double real(Component c, String name, double dflt) {
        return c.params().has(name) ? c.params().getDouble(name) : dflt;
    }

    /** The feed-forward activation, or {@code null} for a provider without one (e.g. SwiGLU). */
    static String ffnActivation(Component ffn) {
        return ffn.params().has("activation") ? ffn.params().getString("activation") : null;
    }
}
