package org.credentialhub.matching;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One-to-one assignment within a batch: of several auto-matches that claim the same student within one group key, only
 * the strongest claim (tier, then posterior, then the best candidate's weight) stays a match; the others become reviews
 * with a reason saying why.
 */
final class OneToOneAssignment {
    private final List<ResultRecord> batch;
    private final Decision[] out;
    /** A row's hash of its group and student; 0: the row claims nobody in a group. */
    private final long[] claim;
    private final int mask;
    /** A slot's first claim and its last (row + 1; 0: an empty slot). */
    private final int[] slotFirst;
    private final int[] slotLast;
    /** The next claim of the same group and student (row + 1; 0: none). */
    private final int[] next;
    /** The slots of students claimed more than once in a group. */
    private final List<Integer> repeatedSlots = new ArrayList<>();

    /**
     * The assignment of a batch whose decisions are written to {@code out}: {@link #claim} each row once its decision
     * is there, then {@link #enforce}.
     */
    OneToOneAssignment(List<ResultRecord> batch, Decision[] out) {
        this.batch = batch;
        this.out = out;
        int n = out.length;
        this.claim = new long[n];
        int cap = Integer.highestOneBit(Math.max(2, n)) << 2; // at least twice the claims: short probes
        this.mask = cap - 1;
        this.slotFirst = new int[cap];
        this.slotLast = new int[cap];
        this.next = new int[n];
    }

    /**
     * Notes row {@code i}'s claim (its group and student hashed), if its decision is an auto-match with a group key.
     * Called by the thread that made the decision, right after (the row and its decision are in that processor's
     * cache; read again later, on one thread, each was a wait for memory); rows may be claimed on several threads.
     */
    void claim(int i) {
        Decision d = out[i];
        String group = batch.get(i).groupKey();
        if (d.outcome() == Outcome.MATCH && group != null && d.rosterId() != null) {
            long h = RosterIndex.mix(RosterIndex.fingerprint(group) + d.rosterId() * 0x9E3779B97F4A7C15L);
            claim[i] = h == 0 ? 1 : h;
        }
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
     * Turns all but the strongest of competing claims into reviews, in place, once every row is {@link #claim claimed}.
     *
     * <p>This runs on one thread after the batch is matched on all of them (the 200,000 rows of {@code bench
     * matching} took 100-120 ms when each row's decision was read again here, each group's students sorted, and sets
     * and maps of boxed ids kept). The claims, hashed already, are entered one by one ({@link #enter}) in an
     * open-addressing table by their hash, whose entries chain their claims in row order; only a student claimed
     * twice in a group gets a list.
     *
     * @return how many auto-matches were turned into reviews
     */
    int enforce() {
        IntStream.range(0, out.length).forEach(this::enter);
        return demote(repeated(), out);
    }

    /**
     * Of each list of rows claiming one student in one group (two or more rows each), keeps the strongest claim a match
     * if it is stronger than the next, and turns the others (all, when the two strongest are equal) into reviews whose
     * first candidate says why. Returns how many it turned.
     */
    static int demote(List<List<Integer>> claimLists, Decision[] out) {
        int demoted = 0;
        for (List<Integer> rows : claimLists) {
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

    /** Enters row {@code i}'s claim (rows in order). */
    private void enter(int i) {
        long c = claim[i];
        if (c == 0) {
            return;
        }
        int h = (int) c & mask;
        while (slotFirst[h] != 0 && !sameClaim(slotFirst[h] - 1, i)) {
            h = (h + 1) & mask;
        }
        if (slotFirst[h] == 0) {
            slotFirst[h] = i + 1;
        } else {
            if (slotFirst[h] == slotLast[h]) {
                repeatedSlots.add(h); // its second claim
            }
            next[slotLast[h] - 1] = i + 1;
        }
        slotLast[h] = i + 1;
    }

    /** Whether rows {@code a} and {@code b} claim the same student in the same group. */
    private boolean sameClaim(int a, int b) {
        return claim[a] == claim[b] && out[a].rosterId().longValue() == out[b].rosterId().longValue()
                && batch.get(a).groupKey().equals(batch.get(b).groupKey());
    }

    /** The claims on each student claimed more than once in a group, each list in row order. */
    private List<List<Integer>> repeated() {
        List<List<Integer>> lists = new ArrayList<>(repeatedSlots.size());
        for (int h : repeatedSlots) {
            List<Integer> rows = new ArrayList<>(2);
            for (int r = slotFirst[h]; r != 0; r = next[r - 1]) {
                rows.add(r - 1);
            }
            lists.add(rows);
        }
        return lists;
    }
}
