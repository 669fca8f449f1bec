package org.ablate.models.config;

import java.util.Arrays;
import java.util.List;

/** The three model shapes a config may name. */
public enum Architecture {
    ENCODER_ONLY("encoder-only"),
    DECODER_ONLY("decoder-only"),
    ENCODER_DECODER("encoder-decoder");

    private final String id;

    Architecture(String id) { this.id = id; }

    /** The name used in configs. */
    public String id() { return id; }

    public static List<String> ids() { return Arrays.stream(values()).map(Architecture::id).toList(); }

    /** The architecture named {@code id}, or {@code null}. */
    public static Architecture byId(String id) {
        for (Architecture a : values()) if (a.id.equals(id)) return a;
        return null;
    }
}
