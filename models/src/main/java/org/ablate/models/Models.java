package org.ablate.models;

/** Entry point for building models from configs. */
public final class Models {
    private Models() {}
}
