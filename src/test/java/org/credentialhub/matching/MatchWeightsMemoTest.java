package org.credentialhub.matching;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model's weights over a roster are made once and kept with the roster's index ({@link MatchWeights#of}): the same
 * weights for every matcher of that model and index, equal to weights made afresh, another model's of their own, and no
 * more than {@link RosterIndex#WEIGHTS_KEPT} models' kept.
 */
class MatchWeightsMemoTest {
    @Test
    void aModelsWeightsAreMadeOnceForItsIndex() throws Exception {
        SyntheticRoster s = SyntheticRoster.of(11);
        MatchWeights kept = MatchWeights.of(s.index(), s.model());
        assertSame(kept, MatchWeights.of(s.index(), s.model()));
        MatchWeights fresh = new MatchWeights(s.index(), s.model());
        assertNotSame(kept, fresh);
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            assertArrayEquals(fresh.w[f], kept.w[f]);
        }
        assertArrayEquals(fresh.tfFirst, kept.tfFirst);
        assertArrayEquals(fresh.tfLast, kept.tfLast);
        assertEquals(fresh.idEqualW, kept.idEqualW);
        assertEquals(fresh.idNearW, kept.idNearW);
        assertEquals(fresh.idOtherW, kept.idOtherW);
        // a matcher of that model scores with the kept weights, and decides as one whose weights were made afresh
        List<Decision> memo = new Matcher(s.index(), s.model(), MatchSettings.defaults(), Crosswalk.empty())
                .matchBatch(s.sent());
        s.index().weights.clear();
        List<Decision> afresh = new Matcher(s.index(), s.model(), MatchSettings.defaults(), Crosswalk.empty())
                .matchBatch(s.sent());
        assertEquals(MatchingBenchmark.digest(afresh, true), MatchingBenchmark.digest(memo, true));
        assertEquals(1, s.index().weights.size());
    }

    @Test
    void anotherModelHasWeightsOfItsOwnAndFewAreKept() throws Exception {
        SyntheticRoster s = SyntheticRoster.of(11);
        s.index().weights.clear();
        List<FsModel> models = new ArrayList<>();
        for (int k = 0; k < RosterIndex.WEIGHTS_KEPT + 4; k++) {
            double[][] m = s.model().m.clone();
            double[][] u = Arrays.stream(s.model().u).map(double[]::clone).toArray(double[][]::new);
            u[Comparisons.FIRST][0] = u[Comparisons.FIRST][0] * (1 + k);
            models.add(new FsModel(m, u, s.model().matchShare, true, 1, 1));
        }
        MatchWeights first = MatchWeights.of(s.index(), models.get(0));
        MatchWeights second = MatchWeights.of(s.index(), models.get(1));
        assertNotSame(first, second);
        assertTrue(first.w[Comparisons.FIRST][0] > second.w[Comparisons.FIRST][0], "weights of each model's own u");
        for (FsModel m : models) {
            MatchWeights.of(s.index(), m);
        }
        assertEquals(RosterIndex.WEIGHTS_KEPT, s.index().weights.size());
        assertTrue(!s.index().weights.containsKey(models.get(0)) && s.index().weights.containsKey(models.get(models.size() - 1)),
                "the models used longest ago go first");
    }
}
