package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Accuracy and macro-F1 against values worked out by hand with scikit-learn's definitions. */
class ClassificationMetricsTest {
    @Test void macroF1AveragesPerClassF1OverClassesSeen() {
        // gold 0 0 1 1 2 2 2, predicted 0 1 1 1 2 0 1:
        // class 0: tp 1, fp 1, fn 1 -> p 1/2, r 1/2, F1 1/2; class 1: tp 2, fp 2, fn 0 -> p 1/2, r 1, F1 2/3;
        // class 2: tp 1, fp 0, fn 2 -> p 1, r 1/3, F1 1/2. Macro-F1 (1/2 + 2/3 + 1/2) / 3 = 5/9; accuracy 4/7.
        // A fourth class, absent from gold and predictions, is left out of the mean as scikit-learn does.
        ClassificationMetrics m = ClassificationMetrics.of(new int[]{0, 0, 1, 1, 2, 2, 2}, new int[]{0, 1, 1, 1, 2, 0, 1}, 4);
        assertEquals(4 / 7.0, m.accuracy(), 1e-15);
        assertEquals(5 / 9.0, m.macroF1(), 1e-15);
        assertEquals(2 / 3.0, m.f1(1), 1e-15);
        assertEquals(1 / 3.0, m.recall(2), 1e-15);
        Map<String, Map<String, Object>> per = m.perClass(List.of("a", "b", "c", "d"));
        assertEquals(3L, per.get("c").get("support"));
        assertEquals(0.5, (Double) per.get("a").get("precision"), 1e-15);
    }

    @Test void majorityBaselineScoresZeroF1ForTheClassesItNeverPredicts() {
        // gold 0 0 0 1: always 0 gives accuracy 3/4; class 0 p 3/4 r 1 F1 6/7, class 1 F1 0 (no prediction); macro 3/7.
        ClassificationMetrics m = ClassificationMetrics.of(new int[]{0, 0, 0, 1}, new int[]{1, 1, 0, 1}, 2);
        assertEquals(0, m.majorityClass());
        ClassificationMetrics base = m.constant(0);
        assertEquals(0.75, base.accuracy(), 1e-15);
        assertEquals(3 / 7.0, base.macroF1(), 1e-15);
    }
}
