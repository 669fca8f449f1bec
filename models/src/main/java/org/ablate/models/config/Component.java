package org.ablate.models.config;

import java.util.Map;

import org.ablate.api.Params;

/**
 * One part of a model as the config chose it: a provider id and its parameters, already validated
 * against the provider's declared parameters.
 *
 * @param id     the provider id, e.g. {@code "multi-head"}
 * @param params the provider's parameters with defaults filled in
 * @param raw    the parameters as written in the config (for saving the config back)
 */
public record Component(String id, Params params, Map<String, Object> raw) {
    public Component {
        raw = Map.copyOf(raw);
    }
}
