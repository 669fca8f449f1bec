package org.ablate.objectives;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.ablate.api.Batch;
import org.ablate.api.SpecialTokens;

/**
 * BERT's input corruption (Devlin et al. 2019), drawn exactly as Hugging Face's
 * {@code DataCollatorForLanguageModeling}: every eligible position is chosen with probability
 * {@code probability}; a chosen position becomes the mask id with probability {@code maskFraction}, a
 * token drawn uniformly from the vocabulary with probability {@code randomFraction}, and stays as it was
 * otherwise. Padding (attention mask 0) and special tokens are never chosen. Labels hold the original id
 * at chosen positions and {@link Batch#IGNORE} everywhere else.
 *
 * @param probability    share of eligible positions chosen (0.15 in BERT)
 * @param maskFraction   share of chosen positions replaced by the mask id (0.8)
 * @param randomFraction share of chosen positions replaced by a random token (0.1)
 * @param maskId         the mask token's id
 * @param vocabSize      random replacements are drawn from {@code [0, vocabSize)}
 * @param special        ids never chosen, sorted
 */
record Masking(double probability, double maskFraction, double randomFraction, int maskId, int vocabSize, int[] special) {
    /** The corrupted inputs and the labels of one batch. */
    record Masked(int[] inputs, int[] labels, int chosen) {}

    Masking {
        special = Arrays.stream(special).filter(id -> id >= 0).sorted().distinct().toArray();
    }

    /** The ids no position holding them is ever chosen for: every special token the tokenizer names. */
    static int[] specialIds(SpecialTokens sp) {
        return new int[]{sp.pad(), sp.bos(), sp.eos(), sp.mask(), sp.cls(), sp.sep()};
    }

    /**
     * @param ids       {@code B·L} token ids, row-major
     * @param attention {@code B·L} with 0 at padding, or {@code null} when nothing is padded
     * @param random    the only source of draws, consumed position by position in row-major order
     */
    Masked apply(int[] ids, int[] attention, RandomGenerator random) {
        int[] in = ids.clone(), labels = new int[ids.length];
        Arrays.fill(labels, Batch.IGNORE);
        int chosen = 0;
        for (int i = 0; i < ids.length; i++) {
            if (attention != null && attention[i] == 0) continue;
            if (Arrays.binarySearch(special, ids[i]) >= 0) continue;
            if (random.nextDouble() >= probability) continue;
            chosen++;
            labels[i] = ids[i];
            double u = random.nextDouble();
            if (u < maskFraction) in[i] = maskId;
            else if (u < maskFraction + randomFraction) in[i] = random.nextInt(vocabSize);
        }
        return new Masked(in, labels, chosen);
    }
}
