package org.credentialhub.matching;

/**
 * Decision thresholds. These are settings for how cautious the decisions are, not model parameters: the m/u
 * probabilities are estimated from the data by {@link ModelTrainer}.
 *
 * @param matchProbability      auto-match when the best candidate's posterior probability is at least this
 * @param reviewProbability     review when the best candidate's posterior is at least this (and not auto-matched)
 * @param minMarginBits         auto-match only if best and second-best match weights differ by at least this many bits
 * @param maxBlockSize          blocks larger than this (very common key values) are skipped for a row
 * @param reportedCandidates    how many candidates a REVIEW decision lists
 * @param requireFirstNameAgreementForSiblings when the candidates contain a likely sibling/twin of the best
 *                              (same surname; same school, or birth year within 3 in the same district) whom the row's
 *                              first name and birth date do not tell apart from it, auto-match only on first-name agreement
 * @param firstNameConflictBlocksAutoMatch a first name present on both sides that clearly disagrees prevents auto-match
 * @param explain               build per-field reason strings for the listed candidates
 */
public record MatchSettings(double matchProbability, double reviewProbability, double minMarginBits,
                            int maxBlockSize, int reportedCandidates, boolean requireFirstNameAgreementForSiblings,
                            boolean firstNameConflictBlocksAutoMatch, boolean explain) {

    /** Defaults used by {@code ./hub link}. */
    public static MatchSettings defaults() {
        return new MatchSettings(0.98, 0.05, 5.0, 2000, 3, true, false, true);
    }

    public MatchSettings withMatchProbability(double p) {
        return new MatchSettings(p, reviewProbability, minMarginBits, maxBlockSize, reportedCandidates,
                requireFirstNameAgreementForSiblings, firstNameConflictBlocksAutoMatch, explain);
    }

    public MatchSettings withReviewProbability(double p) {
        return new MatchSettings(matchProbability, p, minMarginBits, maxBlockSize, reportedCandidates,
                requireFirstNameAgreementForSiblings, firstNameConflictBlocksAutoMatch, explain);
    }

    public MatchSettings withMinMarginBits(double bits) {
        return new MatchSettings(matchProbability, reviewProbability, bits, maxBlockSize, reportedCandidates,
                requireFirstNameAgreementForSiblings, firstNameConflictBlocksAutoMatch, explain);
    }

    public MatchSettings withFirstNameConflictBlocksAutoMatch(boolean b) {
        return new MatchSettings(matchProbability, reviewProbability, minMarginBits, maxBlockSize, reportedCandidates,
                requireFirstNameAgreementForSiblings, b, explain);
    }

    public MatchSettings withExplain(boolean b) {
        return new MatchSettings(matchProbability, reviewProbability, minMarginBits, maxBlockSize, reportedCandidates,
                requireFirstNameAgreementForSiblings, firstNameConflictBlocksAutoMatch, b);
    }
}
