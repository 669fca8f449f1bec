package org.ablate.models.conformance;

/**
 * The outcome of one conformance case.
 *
 * @param name   the case folder's name
 * @param kind   the case's kind
 * @param passed every compared value within tolerance and every exact value equal
 * @param worst  the largest |actual − expected| / (atol + rtol·|expected|) over compared values (≤ 1 passes);
 *               0 for cases compared exactly
 * @param detail what failed, or what was compared
 */
public record CaseResult(String name, String kind, boolean passed, double worst, String detail) {}
