package org.ablate.objectives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.ablate.api.Batch;
import org.ablate.tensor.IntTensor;
import org.junit.jupiter.api.Test;

class Seq2seqProviderTest {
    @Test void shiftRightStartsFromTheStartTokenAndWritesPadForIgnoredLabels() {
        IntTensor labels = IntTensor.of(new int[] {5, 6, 7, 8, Batch.IGNORE, Batch.IGNORE}, 2, 3);
        IntTensor dec = Seq2seqProvider.shiftRight(labels, 2, 0);
        assertArrayEquals(new int[] {2, 3}, dec.shape());
        assertArrayEquals(new int[] {2, 5, 6, 2, 8, 0}, dec.data());
    }
}
