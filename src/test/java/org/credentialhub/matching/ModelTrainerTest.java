package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.credentialhub.support.Reference;
import org.junit.jupiter.api.Test;

/** The EM fit (issue 12: a sturdier model): agreement never weighs less than disagreement; a collapsed fit falls back. */
class ModelTrainerTest {
    static final Path DATA = Reference.path("linkage");

    private static LocalDate date(String s) {
        return s == null || s.isBlank() ? null : LocalDate.parse(s);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A converted linkage set as roster index, result rows (no state ID) and the truth's roster row per result. */
    private record Loaded(RosterIndex index, List<ResultRecord> results, int[] truthRow) {
    }

    private static Loaded load(LinkageSets.Converted c) {
        RosterIndex.Builder b = RosterIndex.builder();
        Map<String, Integer> rosterRow = new HashMap<>();
        for (int i = 0; i < c.roster().size(); i++) {
            String[] r = c.roster().get(i);
            rosterRow.put(r[0], i);
            b.add(new RosterRecord(i, null, r[2], r[3], date(r[4]), blank(r[5]), null));
        }
        RosterIndex index = b.build();
        Map<String, String> truth = new HashMap<>();
        for (String[] t : c.truth()) {
            truth.put(t[0], t[1]);
        }
        Map<Long, Integer> rowOfId = new HashMap<>();
        for (int q = 0; q < index.size(); q++) {
            rowOfId.put(index.idAt(q), q);
        }
        List<ResultRecord> results = new ArrayList<>();
        int[] truthRow = new int[c.results().size()];
        for (int i = 0; i < c.results().size(); i++) {
            String[] r = c.results().get(i);
            results.add(new ResultRecord(i, null, null, r[2], r[3], date(r[4]), blank(r[5]), null));
            Integer id = rosterRow.get(truth.get(r[0]));
            truthRow[i] = id == null ? -1 : rowOfId.get((long) id);
        }
        return new Loaded(index, results, truthRow);
    }

    @Test
    void aFitOnHeavilyDamagedDataStaysCloseToTheTruePairsLevels() throws Exception {
        // FEBRL generator set F: most result rows lack a birth date and names are heavily damaged; the unregularised
        // EM emptied its match class here and left m uniform (first name 0.2 on every level, birth date exact 0.05)
        LinkageSets.Converted c = LinkageSets.dsgen("dsgen_F_5000", DATA.resolve("febrl-dsgen"), "F", 5000, false);
        Loaded l = load(c);
        FsModel model = new ModelTrainer().train(l.index(), l.results());
        assertTrue(model.estimated());
        // the share of true pairs at each field's exact level, counted from the truth
        int[] lv = new int[Comparisons.FIELDS];
        double[] exact = new double[Comparisons.FIELDS];
        double[] present = new double[Comparisons.FIELDS];
        for (int i = 0; i < l.results().size(); i++) {
            if (l.truthRow()[i] < 0) {
                continue;
            }
            Comparisons.levels(l.index().probe(l.results().get(i)), l.index(), l.truthRow()[i], lv);
            for (int f = 0; f < Comparisons.FIELDS; f++) {
                if (lv[f] >= 0) {
                    present[f]++;
                    exact[f] += lv[f] == 0 ? 1 : 0;
                }
            }
        }
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            double truthShare = exact[f] / present[f];
            assertEquals(truthShare, model.m(f, 0), 0.2, Comparisons.FIELD_NAMES[f] + ": fitted m(exact) "
                    + model.m(f, 0) + " vs the true pairs' " + truthShare);
        }
    }

    /**
     * The match share is the prior of the rows that are scored, those with candidates: rows no blocking key reaches
     * (here: only a school the roster does not have) are decided without it and must not pull it down (FEBRL set F:
     * 4 % of the rows have no candidate, the share came out 0.957 although every row has its student, and rows with
     * two names alike and their school went to review).
     */
    /**
     * A probe's name levels are remembered while its pairs are compared (the random pairs for u taken probe by probe,
     * the blocked pairs and the match share's candidates): the fit is the very same as when every pair compares its
     * names afresh, on a large sample and on a small file's few rows (thousands of random pairs each).
     */
    @Test
    void rememberingAProbesNameLevelsFitsTheSameModel() throws Exception {
        for (LinkageSets.Converted c : LinkageSets.all(DATA)) {
            Loaded l = load(c);
            for (List<ResultRecord> rows : List.of(l.results(), l.results().subList(0, Math.min(7, l.results().size())))) {
                FsModel remembered = new ModelTrainer().train(l.index(), rows);
                FsModel afresh = new ModelTrainer().comparingEveryPair().train(l.index(), rows);
                String what = c.name() + ", " + rows.size() + " rows";
                for (int f = 0; f < Comparisons.FIELDS; f++) {
                    assertArrayEquals(afresh.m[f], remembered.m[f], 0.0, what + ": m of field " + f);
                    assertArrayEquals(afresh.u[f], remembered.u[f], 0.0, what + ": u of field " + f);
                }
                assertEquals(afresh.matchShare, remembered.matchShare, 0.0, what + ": match share");
                assertEquals(afresh.idOtherM, remembered.idOtherM, 0.0, what);
                assertEquals(afresh.idNearM, remembered.idNearM, 0.0, what);
                assertEquals(afresh.emIterations, remembered.emIterations, what);
                assertEquals(afresh.trainingPairs, remembered.trainingPairs, what);
            }
        }
    }

    @Test
    void theMatchShareIsFittedOnTheRowsThatHaveCandidates() throws Exception {
        LinkageSets.Converted c = LinkageSets.dsgen("dsgen_D_1000", DATA.resolve("febrl-dsgen"), "D", 1000, false);
        Loaded l = load(c);
        List<ResultRecord> rows = new ArrayList<>(l.results());
        for (int i = 0; i < 300; i++) {
            rows.add(new ResultRecord(10_000 + i, null, null, null, null, null, "nowhere-" + i, null));
        }
        FsModel model = new ModelTrainer().train(l.index(), rows);
        assertTrue(model.matchShare() >= 0.95, "share " + model.matchShare());
    }

    @Test
    void agreementNeverWeighsLessThanDisagreementOnAnyLinkageSet() throws Exception {
        for (LinkageSets.Converted c : LinkageSets.all(DATA)) {
            if (c.name().endsWith("_synid")) {
                continue; // same names as the set without the suffix
            }
            Loaded l = load(c);
            FsModel model = new ModelTrainer().train(l.index(), l.results());
            for (int f = 0; f < Comparisons.FIELDS; f++) {
                int other = Comparisons.levels(f) - 1;
                assertTrue(model.weight(f, 0) > 0, c.name() + " " + Comparisons.FIELD_NAMES[f] + " exact weight "
                        + model.weight(f, 0));
                for (int lev = 0; lev < other; lev++) {
                    assertTrue(model.weight(f, lev) >= model.weight(f, other) - 1e-9, c.name() + " "
                            + Comparisons.FIELD_NAMES[f] + " level " + lev + " weighs less than disagreement");
                }
            }
        }
    }

    @Test
    void aDegenerateFieldFallsBackToThePriorAndAWeakLevelIsRaised() {
        double[] u = {0.01, 0.001, 0.004, 0.03, 0.01, 0.945};
        // exact agreement less likely among matches than among random pairs: a negative weight
        double[] m = {0.005, 0.2, 0.2, 0.2, 0.1, 0.295};
        assertFalse(ModelTrainer.constrain(Comparisons.FIRST, m, u));
        assertArrayEquals(ModelTrainer.PRIOR_M[Comparisons.FIRST], m, 0.0);
        // partial levels below disagreement (m/u 0.5 and 0.1 vs 0.099/0.945): raised to disagreement's ratio, mass
        // conserved
        double[] m2 = {0.7, 0.0005, 0.1, 0.0995, 0.001, 0.099};
        assertTrue(ModelTrainer.constrain(Comparisons.FIRST, m2, u));
        double rOther = m2[5] / u[5];
        for (int lev = 0; lev < 5; lev++) {
            assertTrue(m2[lev] / u[lev] >= rOther - 1e-12, "level " + lev);
        }
        double sum = 0;
        for (double x : m2) {
            sum += x;
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(0.7, m2[0], 0.0);
    }
}
