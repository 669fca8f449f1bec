package org.ablate.models.hf;

import org.ablate.models.assembly.Model;

/**
 * A Hugging Face checkpoint loaded as an Ablate model.
 *
 * @param family        the {@link HfFamily#modelType()}: {@code gpt2}, {@code llama}, {@code gpt_neox}, {@code bert} or {@code marian}
 * @param model         the model with the checkpoint's weights
 * @param weights       how its parameters map to the HF tensor names
 * @param eos           the end-of-sequence id, or -1
 * @param pad           the padding id, or -1
 * @param decoderStart  the first decoder token of encoder-decoder models, or -1
 */
public record HfModel(String family, Model model, WeightMap weights, int eos, int pad, int decoderStart) {}
