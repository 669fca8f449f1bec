package org.ablate.api;

import org.ablate.tensor.Tensor;

/**
 * What a head is built from.
 *
 * @param dModel         width of the hidden states it reads
 * @param vocabSize      vocabulary size (for token heads)
 * @param tokenEmbedding the model's token embedding {@code [V, E]}, for heads tied to it
 * @param parts          the model's parts, e.g. for a head's own norm
 * @param dropout        the model's dropout, for heads that apply it during training
 */
@Experimental
public record HeadSpec(int dModel, int vocabSize, Tensor tokenEmbedding, PartFactory parts, double dropout) {}
