package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * One-to-one assignment within a batch ({@link OneToOneAssignment}) finds the claims the straightforward form found
 * before it was made a single pass (kept below as {@link #reference}: each group's students sorted, repeated ones
 * collected in sets, their claims in maps; both demote by {@link OneToOneAssignment#demote}, whose rule
 * {@code TiersTest.oneToOneWithinAGroup} checks), on random batches where many students are claimed more than once
 * in a group, by every tier, with equal and unequal evidence.
 */
class OneToOneAssignmentTest {

    @Test
    void theSameDecisionsAsTheStraightforwardForm() {
        SplittableRandom r = new SplittableRandom(17);
        int demotedInAll = 0;
        for (int round = 0; round < 200; round++) {
            int n = 1 + r.nextInt(round < 150 ? 60 : 5000);
            int groups = 1 + r.nextInt(6);
            int students = 1 + r.nextInt(Math.max(1, n / (1 + r.nextInt(4))));
            List<ResultRecord> batch = new ArrayList<>(n);
            Decision[] decisions = new Decision[n];
            for (int i = 0; i < n; i++) {
                String group = r.nextInt(10) == 0 ? null : "exam-" + r.nextInt(groups) + "/2025-05-01";
                batch.add(new ResultRecord(i, group, null, null, null, null, null, null));
                decisions[i] = decision(i, r, students);
            }
            Decision[] expected = decisions.clone();
            Decision[] actual = decisions.clone();
            int want = reference(batch, expected);
            OneToOneAssignment assignment = new OneToOneAssignment(batch, actual);
            IntStream.range(0, n).parallel().forEach(assignment::claim); // as the matcher's threads claim them
            int got = assignment.enforce();
            assertEquals(want, got, "demoted in round " + round);
            for (int i = 0; i < n; i++) {
                assertEquals(describe(expected[i]), describe(actual[i]), "row " + i + " of round " + round);
            }
            demotedInAll += got;
        }
        assertTrue(demotedInAll > 1000, "the batches had competing claims: " + demotedInAll);
    }

    /** A decision of a random tier and outcome, scores drawn from few values (ties), a student of {@code students}. */
    private static Decision decision(int i, SplittableRandom r, int students) {
        String tier = switch (r.nextInt(3)) {
            case 0 -> Decision.TIER_CROSSWALK;
            case 1 -> Decision.TIER_STATE_ID;
            default -> Decision.TIER_PROBABILISTIC;
        };
        Outcome outcome = r.nextInt(8) == 0 ? Outcome.REVIEW : r.nextInt(12) == 0 ? Outcome.NONE : Outcome.MATCH;
        Long student = outcome == Outcome.MATCH ? (Long) (1_000_000_000_000L + 7919L * r.nextInt(students)) : null;
        double score = r.nextInt(3) / 2.0;
        List<Candidate> cs = new ArrayList<>();
        int k = r.nextInt(3);
        for (int c = 0; c < k; c++) {
            double w = r.nextInt(5) == 0 ? Double.NaN : r.nextInt(4) * 3.5;
            cs.add(new Candidate(student == null ? 5 + c : student, w, List.of("first_name: exact (+" + c + ")")));
        }
        return new Decision(i, outcome, student, score, tier, List.copyOf(cs));
    }

    private static String describe(Decision d) {
        return d.outcome() + " " + d.rosterId() + " " + d.score() + " " + d.tier() + " " + d.candidates();
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
     * The form of one-to-one assignment before this one (its decisions are the reference): the claims on a student
     * found by sorting each group's students, collected in sets and maps, then demoted by the same rule.
     */
    static int reference(List<ResultRecord> batch, Decision[] out) {
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
        int[] fill = Arrays.copyOf(start, groups);
        for (int i = 0; i < out.length; i++) {
            if (group[i] >= 0) {
                ids[fill[group[i]]++] = out[i].rosterId();
            }
        }
        List<java.util.Set<Long>> repeated = new ArrayList<>(groups);
        boolean any = false;
        for (int g = 0; g < groups; g++) {
            Arrays.sort(ids, start[g], start[g + 1]);
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
        return OneToOneAssignment.demote(claimLists, out);
    }
}
