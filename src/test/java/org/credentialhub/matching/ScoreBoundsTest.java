package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounds the matcher prunes candidates by ({@link MatchWeights#upperBound}, {@link MatchWeights#boundByLastName})
 * are never below a candidate's full score, for every reading of the names: straight, swapped, a single name in the
 * other field. A bound below the score would drop a candidate that competes with the best, and change decisions.
 */
class ScoreBoundsTest {
    static RosterIndex index;
    static MatchWeights weights;
    static List<ResultRecord> rows;

    @BeforeAll
    static void roster() throws Exception {
        SyntheticRoster roster = SyntheticRoster.of(5);
        index = roster.index();
        weights = roster.weights();
        // each row also with its names swapped, and with only one of them, in either field
        rows = roster.sentWith(SyntheticRoster.SWAPPED, r -> ResultVariants.withNames(r, null, r.lastName()),
                r -> ResultVariants.withNames(r, r.lastName(), null), SyntheticRoster.FIRST_ALONE);
    }

    @Test
    void noCandidateScoresAboveItsBounds() {
        RosterIndex.Scratch s = new RosterIndex.Scratch();
        NameMemo memo = new NameMemo();
        int[] lv = new int[Comparisons.FIELDS];
        long pairs = 0;
        long swapped = 0;
        long tightened = 0;
        for (ResultRecord r : rows) {
            Probe p = index.probe(r);
            memo.reset();
            index.candidates(p, MatchSettings.defaults().maxBlockSize(), true, s);
            for (int i = 0; i < s.count; i++) {
                int row = s.rows[i];
                boolean sw = Comparisons.levels(p, index, row, lv);
                double full = weights.score(p, row, lv, sw);
                double ub = weights.upperBound(p, row);
                assertTrue(ub >= full - 1e-9, "bound " + ub + " below the score " + full + " (levels "
                        + java.util.Arrays.toString(lv) + ", swapped " + sw + ")");
                double byLast = weights.boundByLastName(p, index.first(row), index.last(row), ub, memo, index);
                assertTrue(byLast >= full - 1e-9, "bound by last name " + byLast + " below the score " + full
                        + " (levels " + java.util.Arrays.toString(lv) + ", swapped " + sw + ")");
                pairs++;
                swapped += sw ? 1 : 0;
                tightened += byLast < ub - 10 ? 1 : 0;
            }
        }
        assertTrue(pairs > 100_000, "pairs compared: " + pairs);
        assertTrue(swapped > 1_000, "pairs read with the names swapped or in the other field: " + swapped);
        assertTrue(tightened > pairs / 4, "the last name tightens most bounds: " + tightened + " of " + pairs);
    }
}
