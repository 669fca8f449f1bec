package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DropoutScopeTest {
    /** An evaluation scope inside a training scope turns dropout off until it closes, then training resumes. */
    @Test void evaluationInsideTrainingTurnsDropoutOffUntilClosed() {
        Tensor x = Tensor.ones(64);
        assertFalse(Dropout.active());
        try (Dropout train = Dropout.training(7)) {
            assertTrue(Dropout.active());
            assertNotSame(x, Dropout.apply(x, 0.5, "site"));
            try (Dropout eval = Dropout.evaluation()) {
                assertFalse(Dropout.active());
                assertSame(x, Dropout.apply(x, 0.5, "site"));
            }
            assertTrue(Dropout.active());
            assertNotSame(x, Dropout.apply(x, 0.5, "site"));
        }
        assertFalse(Dropout.active());
    }
}
