package org.ablate.models.hf;

import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.ablate.models.config.Architecture;
import org.ablate.models.config.ModelConfig;

/**
 * One Hugging Face model family (a {@code model_type}) in both directions: its {@code config.json} read into
 * an Ablate config and weight map, and an Ablate config written as its {@code config.json}. {@link HuggingFace}
 * checks every export by reading the written config back through {@link #read}, so {@link #write} may be
 * lossy: whatever it cannot hold shows up as a difference and the export is refused, naming it. Adding a
 * family is one class and one entry in {@link HuggingFace#FAMILIES}.
 */
public interface HfFamily {
    /** {@code config.json}'s {@code model_type}. */
    String modelType();

    /** The architecture of every model of this family. */
    Architecture architecture();

    /**
     * The Ablate config (in the map form {@link org.ablate.models.config.ConfigLoader} reads) and the weight
     * map of a checkpoint with this {@code config.json}.
     *
     * @param has whether the checkpoint holds a tensor of that name (some parts, like BERT's pooler, are
     *            present in some checkpoints of a family only)
     * @throws IllegalArgumentException naming the config.json field this toolkit cannot hold
     */
    Mapping read(JsonNode config, Predicate<String> has);

    /** The {@code config.json} for {@code c} (special token ids are added by the caller). */
    Map<String, Object> write(ModelConfig c);

    /**
     * An Ablate config as a map and how its parameters are named in the checkpoint.
     *
     * @param config  the config, as {@link org.ablate.models.config.ConfigLoader#fromMap} reads it
     * @param weights the tensor name mapping
     */
    record Mapping(Map<String, Object> config, WeightMap weights) {}
}
