package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The matcher looks up the two widest blocking schemes (surname + first initial + birth year, surname + first name)
 * only when the students they alone would find could weigh in the decision ({@link MatchWeights#deferredBound}): each
 * such student scores at most the bound, and the decisions are those of a matcher that looks up every block.
 */
class WideBlocksDeferredTest {
    static RosterIndex index;
    static FsModel model;
    static MatchWeights weights;
    static List<ResultRecord> rows;

    @BeforeAll
    static void roster() throws Exception {
        SyntheticRoster roster = SyntheticRoster.of(7);
        index = roster.index();
        model = roster.model();
        weights = roster.weights();
        // each row also with its names swapped, and with a single name
        rows = roster.sentWith(SyntheticRoster.SWAPPED, SyntheticRoster.FIRST_ALONE);
    }

    @Test
    void studentsOnlyTheWideBlocksFindScoreNoMoreThanTheBound() {
        RosterIndex.Scratch all = new RosterIndex.Scratch();
        RosterIndex.Scratch some = new RosterIndex.Scratch();
        NameMemo memo = new NameMemo();
        int[] lv = new int[Comparisons.FIELDS];
        int maxBlock = MatchSettings.defaults().maxBlockSize();
        long onlyWide = 0;
        long readSwapped = 0;
        long deferredRows = 0;
        for (ResultRecord r : rows) {
            Probe p = index.probe(r);
            memo.reset();
            index.candidatesDeferringWide(p, maxBlock, true, some);
            if (!some.deferred()) {
                continue;
            }
            deferredRows++;
            Set<Integer> found = new HashSet<>();
            for (int i = 0; i < some.count; i++) {
                found.add(some.rows[i]);
            }
            double bound = weights.deferredBound(p, some.dobRuledOut, some.schoolRuledOut, memo);
            index.candidates(p, maxBlock, true, all);
            for (int i = 0; i < all.count; i++) {
                int row = all.rows[i];
                if (found.contains(row) || p.idFp != 0 && index.stateFp[row] == p.idFp) {
                    continue; // (the students with the sent state ID are candidates whatever the blocking finds)
                }
                boolean swapped = Comparisons.levels(p, index, row, lv);
                double score = weights.score(p, row, lv, swapped) + weights.idWeight(p, row, new int[0], 0);
                assertTrue(score <= bound + 1e-9, "a student only the wide blocks find scores " + score
                        + " above their bound " + bound + " (levels " + java.util.Arrays.toString(lv) + ", swapped "
                        + swapped + ", birth date ruled out " + some.dobRuledOut + ", school ruled out "
                        + some.schoolRuledOut + ")");
                onlyWide++;
                readSwapped += swapped ? 1 : 0;
            }
        }
        assertTrue(deferredRows > rows.size() / 2, "rows whose wide blocks were deferred: " + deferredRows);
        assertTrue(onlyWide > 1_500, "students only the wide blocks find: " + onlyWide);
        assertTrue(readSwapped > 0, "of them read with the names swapped: " + readSwapped);
    }

    @Test
    void theDecisionsAreThoseOfEveryBlockLookedUp() {
        Matcher deferring = new Matcher(index, model, MatchSettings.defaults(), Crosswalk.empty());
        List<Decision> a = deferring.matchBatch(rows);
        List<Decision> b = deferring.everyBlock().matchBatch(rows);
        int matches = 0;
        int reviews = 0;
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(b.get(i).outcome(), a.get(i).outcome(), "row " + i + ": outcome");
            assertEquals(b.get(i).rosterId(), a.get(i).rosterId(), "row " + i + ": student");
            // (a student the deferring matcher did not look up weighs below 2^-PRUNE_BITS of the best)
            assertEquals(b.get(i).score(), a.get(i).score(), 1e-4, "row " + i + ": match probability");
            matches += a.get(i).outcome() == Outcome.MATCH ? 1 : 0;
            reviews += a.get(i).outcome() == Outcome.REVIEW ? 1 : 0;
        }
        assertTrue(matches > rows.size() / 4, "matches: " + matches);
        assertTrue(reviews > 50, "reviews: " + reviews);
    }
}
