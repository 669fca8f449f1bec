package org.ablate.study;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A study as written in its file, checked for shape but not yet expanded into run specs (see {@link Study}).
 *
 * @param file               the study file
 * @param name               a title for reports (default: the file's name)
 * @param base               the base run spec: a path relative to the study file (text) or an inline spec (mapping)
 * @param common             overrides applied to every arm first ({@code set:}), as {@code path=value}
 * @param arms               the arms in order, the baseline first or named by {@code baseline:}
 * @param baseline           the arm every other arm is compared with
 * @param seeds              the seeds every arm runs with; seed s gives every arm the same initialisation and data order
 * @param metrics            the metrics to report, each one of {@link Metrics#NAMES}
 * @param expectations       claims to check, e.g. {@code alibi.loss < sinusoidal.loss}
 * @param parameterTolerance the largest relative difference in parameter count between arms before a warning
 */
public record StudySpec(Path file, String name, JsonNode base, List<String> common, List<Arm> arms, String baseline,
                        List<Long> seeds, List<String> metrics, List<Expectation> expectations, double parameterTolerance) {
    public StudySpec {
        common = List.copyOf(common);
        arms = List.copyOf(arms);
        seeds = List.copyOf(seeds);
        metrics = List.copyOf(metrics);
        expectations = List.copyOf(expectations);
    }

    /**
     * One arm: its overrides of the base spec, each {@code path=value} with the value as JSON (which YAML reads back).
     *
     * @param where the field of the study file it comes from, for messages ({@code arms.alibi} or {@code axes})
     */
    public record Arm(String name, List<String> overrides, String where) {
        public Arm {
            overrides = List.copyOf(overrides);
        }
    }
}
