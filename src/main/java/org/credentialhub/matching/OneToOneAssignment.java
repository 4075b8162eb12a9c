package org.credentialhub.matching;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One-to-one assignment within a batch: of several auto-matches that claim the same student within one group key, only
 * the strongest claim (tier, then posterior, then the best candidate's weight) stays a match; the others become reviews
 * with a reason saying why.
 */
final class OneToOneAssignment {
    private OneToOneAssignment() {
    }

    private static int tierRank(String tier) {
        return switch (tier) {
            case Decision.TIER_CROSSWALK -> 3;
            case Decision.TIER_STATE_ID -> 2;
            default -> 1;
        };
    }

    private static int compareClaims(Decision a, Decision b) {
        int c = Integer.compare(tierRank(a.tier()), tierRank(b.tier()));
        if (c != 0) {
            return c;
        }
        c = Double.compare(a.score(), b.score());
        if (c != 0) {
            return c;
        }
        double wa = a.candidates().isEmpty() ? 0 : a.candidates().get(0).score();
        double wb = b.candidates().isEmpty() ? 0 : b.candidates().get(0).score();
        return Double.compare(Double.isNaN(wa) ? 0 : wa, Double.isNaN(wb) ? 0 : wb);
    }

    /**
     * Turns all but the strongest of competing claims into reviews, in place.
     *
     * @return how many auto-matches were turned into reviews
     */
    static int enforce(List<ResultRecord> batch, Decision[] out) {
        Map<String, List<Integer>> claims = new HashMap<>();
        for (int i = 0; i < out.length; i++) {
            Decision d = out[i];
            String g = batch.get(i).groupKey();
            if (d.outcome() == Outcome.MATCH && g != null) {
                claims.computeIfAbsent(g + '\u0001' + d.rosterId(), k -> new ArrayList<>(1)).add(i);
            }
        }
        int demoted = 0;
        for (List<Integer> rows : claims.values()) {
            if (rows.size() < 2) {
                continue;
            }
            rows.sort((x, y) -> compareClaims(out[y], out[x]));
            boolean keepFirst = compareClaims(out[rows.get(0)], out[rows.get(1)]) > 0;
            for (int j = keepFirst ? 1 : 0; j < rows.size(); j++) {
                int i = rows.get(j);
                Decision d = out[i];
                List<Candidate> cs = new ArrayList<>(d.candidates());
                if (!cs.isEmpty()) {
                    Candidate c0 = cs.get(0);
                    List<String> rs = new ArrayList<>(c0.reasons());
                    rs.add(keepFirst ? "decision: another row of the same group claims this student with stronger evidence"
                            : "decision: several rows of the same group claim this student equally");
                    cs.set(0, new Candidate(c0.rosterId(), c0.score(), List.copyOf(rs)));
                }
                out[i] = new Decision(d.resultId(), Outcome.REVIEW, null, d.score(), d.tier(), List.copyOf(cs));
                demoted++;
            }
        }
        return demoted;
    }
}
