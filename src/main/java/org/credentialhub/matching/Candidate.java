package org.credentialhub.matching;

import java.util.List;

/**
 * A roster student considered for a result row.
 *
 * @param rosterId roster key
 * @param score    Fellegi-Sunter match weight in bits (log2 of the likelihood ratio m/u, summed over the fields);
 *                 the sum of the contributions listed in {@code reasons}
 * @param reasons  one entry per compared field, e.g. {@code last_name: jaro-winkler ≥ 0.92 (+6.1)}; never contains the
 *                 compared values themselves
 */
public record Candidate(long rosterId, double score, List<String> reasons) {
}
