package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A decision's reasons are those of its candidates' levels compared afresh, though they are built long after the
 * decision, from the levels the scoring packed ({@link MatchExplanation#pack}) and kept without the row's probe.
 */
class MatchExplanationTest {

    @Test
    void packedLevelsReadBackAsPacked() {
        int[] lv = new int[Comparisons.FIELDS];
        for (int code = 0; code < 1 << (3 * Comparisons.FIELDS); code++) {
            for (int f = 0; f < Comparisons.FIELDS; f++) {
                lv[f] = (code >>> (3 * f) & 7) - 1; // -1 (missing) to 6
            }
            for (boolean swapped : new boolean[] {false, true}) {
                int packed = MatchExplanation.pack(lv, swapped);
                for (int f = 0; f < Comparisons.FIELDS; f++) {
                    assertEquals(lv[f], MatchExplanation.level(packed, f));
                }
                assertEquals(swapped, MatchExplanation.swapped(packed));
            }
        }
    }

    @Test
    void reasonsReadLaterAreTheCandidatesLevels() throws Exception {
        SyntheticRoster roster = SyntheticRoster.of(11);
        RosterIndex index = roster.index();
        // names swapped and one name alone too: levels read crosswise and missing fields
        List<ResultRecord> rows = roster.sentWith(SyntheticRoster.SWAPPED, SyntheticRoster.FIRST_ALONE,
                r -> ResultVariants.withNames(r, null, r.lastName()));
        Matcher matcher = new Matcher(index, roster.model(), MatchSettings.defaults(), null);
        List<Decision> decisions = new ArrayList<>();
        for (ResultRecord r : rows) {
            decisions.add(matcher.match(r)); // the reasons are read below, once every row is matched
        }
        Map<Long, Integer> rowOf = new HashMap<>();
        for (int row = 0; row < index.size(); row++) {
            rowOf.put(index.idAt(row), row);
        }
        MatchExplanation afresh = new MatchExplanation(index, MatchWeights.of(index, roster.model()));
        int checked = 0;
        int swapped = 0;
        int probabilistic = 0;
        int matchesWithRunnerUp = 0;
        for (int i = 0; i < rows.size(); i++) {
            Decision d = decisions.get(i);
            List<Candidate> cs = d.candidates();
            if (d.outcome() == Outcome.MATCH && Decision.TIER_PROBABILISTIC.equals(d.tier())) {
                // the match first, then the runner-up the ranking found, each read as often as asked, equal each time
                assertEquals(d.rosterId(), cs.get(0).rosterId(), "row " + i);
                assertEquals(cs.get(0), cs.get(0));
                if (cs.size() == 2) {
                    assertTrue(cs.get(0).score() >= cs.get(1).score(), "row " + i);
                    matchesWithRunnerUp++;
                }
            }
            for (Candidate c : cs) {
                if (Double.isNaN(c.score())) {
                    continue; // the crosswalk's: no fields compared
                }
                int[] lv = new int[Comparisons.FIELDS];
                Candidate expected = afresh.explain(index.probe(rows.get(i)), rowOf.get(c.rosterId()), lv, new int[0],
                        0, null);
                assertEquals(expected.reasons().subList(0, Comparisons.FIELDS),
                        c.reasons().subList(0, Comparisons.FIELDS), "row " + i + "'s candidate");
                checked++;
                swapped += c.reasons().stream().anyMatch(x -> x.contains("swapped")) ? 1 : 0;
                probabilistic += Decision.TIER_PROBABILISTIC.equals(decisions.get(i).tier()) ? 1 : 0;
            }
        }
        assertTrue(checked > 10_000, "candidates checked: " + checked);
        assertTrue(probabilistic > 5_000, "candidates of probabilistic decisions: " + probabilistic);
        assertTrue(matchesWithRunnerUp > 1_000, "matches with a runner-up: " + matchesWithRunnerUp);
        assertTrue(swapped > 500, "candidates read with the names swapped: " + swapped);
    }
}
