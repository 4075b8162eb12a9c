package org.credentialhub.matching;

import java.util.List;

/**
 * The matcher's decision for one result row.
 *
 * @param resultId   {@link ResultRecord#id()}
 * @param outcome    match, review or none
 * @param rosterId   the matched roster student for {@link Outcome#MATCH}, else null
 * @param score      posterior probability (0..1) that the best candidate is the row's student; 1.0 for the
 *                   crosswalk and state-ID tiers
 * @param tier       {@code crosswalk}, {@code state_id} or {@code probabilistic}
 * @param candidates for MATCH the matched student (and the runner-up, if any); for REVIEW the top candidates; for
 *                   NONE empty. Each carries its match weight and per-field reasons.
 */
public record Decision(long resultId, Outcome outcome, Long rosterId, double score, String tier,
                       List<Candidate> candidates) {
    public static final String TIER_CROSSWALK = "crosswalk";
    public static final String TIER_STATE_ID = "state_id";
    public static final String TIER_PROBABILISTIC = "probabilistic";
}
