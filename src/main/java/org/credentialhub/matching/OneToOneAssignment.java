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

    @SuppressWarnings("unchecked")
    private static Map<Long, List<Integer>>[] newMaps(int n) {
        Map<Long, List<Integer>>[] maps = new Map[n];
        for (int g = 0; g < n; g++) {
            maps[g] = new HashMap<>();
        }
        return maps;
    }

    /**
     * Turns all but the strongest of competing claims into reviews, in place.
     *
     * @return how many auto-matches were turned into reviews
     */
    static int enforce(List<ResultRecord> batch, Decision[] out) {
        // the auto-matches of each group key; a student claimed twice in a group shows as a repeated id among its
        // group's sorted ids (few are: only those get a list of their claims)
        Map<String, Integer> groupIds = new HashMap<>();
        int[] group = new int[out.length];
        int matched = 0;
        for (int i = 0; i < out.length; i++) {
            Decision d = out[i];
            String g = batch.get(i).groupKey();
            group[i] = -1;
            if (d.outcome() == Outcome.MATCH && g != null && d.rosterId() != null) {
                group[i] = groupIds.computeIfAbsent(g, k -> groupIds.size());
                matched++;
            }
        }
        int groups = groupIds.size();
        int[] start = new int[groups + 1];
        for (int i = 0; i < out.length; i++) {
            if (group[i] >= 0) {
                start[group[i] + 1]++;
            }
        }
        for (int g = 0; g < groups; g++) {
            start[g + 1] += start[g];
        }
        long[] ids = new long[matched];
        int[] fill = java.util.Arrays.copyOf(start, groups);
        for (int i = 0; i < out.length; i++) {
            if (group[i] >= 0) {
                ids[fill[group[i]]++] = out[i].rosterId();
            }
        }
        List<java.util.Set<Long>> repeated = new ArrayList<>(groups);
        boolean any = false;
        for (int g = 0; g < groups; g++) {
            java.util.Arrays.sort(ids, start[g], start[g + 1]);
            java.util.Set<Long> r = null;
            for (int j = start[g] + 1; j < start[g + 1]; j++) {
                if (ids[j] == ids[j - 1]) {
                    if (r == null) {
                        r = new java.util.HashSet<>();
                    }
                    r.add(ids[j]);
                }
            }
            repeated.add(r);
            any |= r != null;
        }
        // the claims on those students, by group and student, each list in row order
        Map<Long, List<Integer>>[] claims = newMaps(any ? groups : 0);
        for (int i = 0; any && i < out.length; i++) {
            int g = group[i];
            if (g >= 0 && repeated.get(g) != null && repeated.get(g).contains(out[i].rosterId())) {
                claims[g].computeIfAbsent(out[i].rosterId(), k -> new ArrayList<>(2)).add(i);
            }
        }
        List<List<Integer>> claimLists = new ArrayList<>();
        for (Map<Long, List<Integer>> m : claims) {
            claimLists.addAll(m.values());
        }
        int demoted = 0;
        for (List<Integer> rows : claimLists) {
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
