package org.credentialhub.matching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Estimates the Fellegi-Sunter parameters from the data of one run, so nothing is hand-tuned:
 * <ul>
 *   <li>u (per field and level) from random (result, roster) pairs, which are almost all non-matches;</li>
 *   <li>m by expectation-maximisation (latent-class model, conditional independence) over pairs that share one
 *       blocking key, for a sample of the result rows; as in Splink, each EM session holds fixed the fields its
 *       blocking key is made of and estimates the others (names from pairs with equal birth date and school; birth
 *       date and school from pairs with equal name phonetics; ...). u of the blocked non-matches is re-estimated
 *       inside EM, but the final weights use the random-pair u;</li>
 *   <li>the share of result rows that have a student in the roster (the prior) as the fixed point of the mean
 *       posterior "this row has a match" over a sample.</li>
 * </ul>
 * Fields without enough data (fewer than 100 pairs) keep the documented prior m.
 *
 * <p>The fit is made sturdy three ways (issue 12): EM is maximum a posteriori with a Dirichlet prior of
 * {@link #PRIOR_STRENGTH} pseudo-matches centred on {@link #PRIOR_M}, so a session whose latent class collapses (all
 * pairs taken as non-matches, m left without data) falls back towards the prior instead of to uniform m; afterwards
 * every field is checked ({@link #constrain}): agreement never weighs less than disagreement, and exact agreement
 * weighs more than nothing, else the field's m is the prior's (a degenerate fit).
 */
public final class ModelTrainer {
    /** Prior m (also EM's starting point), per field and level. */
    static final double[][] PRIOR_M = {
        {0.86, 0.02, 0.05, 0.03, 0.02, 0.02},
        {0.88, 0.05, 0.03, 0.02, 0.02},
        {0.88, 0.02, 0.05, 0.02, 0.03},
        {0.85, 0.02, 0.03, 0.10},
    };
    /** Fallback u when the roster is too small to sample. */
    static final double[][] PRIOR_U = {
        {0.005, 0.001, 0.004, 0.03, 0.01, 0.95},
        {0.002, 0.003, 0.03, 0.01, 0.955},
        {0.0005, 0.0001, 0.003, 0.2, 0.7964},
        {0.01, 0.005, 0.04, 0.945},
    };
    static final double M_FLOOR = 0.002;
    /**
     * Strength of the Dirichlet prior on m, in pseudo-matches: small against the thousands of pairs of a normal fit,
     * decisive when EM's match class empties.
     */
    static final double PRIOR_STRENGTH = 20;

    /** How many result rows a fit samples by default. */
    public static final int SAMPLE_RESULTS = 8000;

    private int maxSampleResults = SAMPLE_RESULTS;
    private int randomPairs = 200_000;
    private int maxIterations = 200;
    private long seed = 42;
    private int maxBlockSize = MatchSettings.defaults().maxBlockSize();
    /**
     * Whether a probe's name levels are remembered while its pairs are compared, the random pairs then compared probe
     * by probe (off: every pair compares its names, the random pairs in the order drawn: the reference, for tests).
     */
    private boolean rememberNames = true;

    public ModelTrainer seed(long s) {
        this.seed = s;
        return this;
    }

    public ModelTrainer maxSampleResults(int k) {
        this.maxSampleResults = k;
        return this;
    }

    public ModelTrainer randomPairs(int k) {
        this.randomPairs = k;
        return this;
    }

    public ModelTrainer maxBlockSize(int k) {
        this.maxBlockSize = k;
        return this;
    }

    /** This trainer comparing every pair's names afresh, in the order drawn (the same model, for tests). */
    ModelTrainer comparingEveryPair() {
        rememberNames = false;
        return this;
    }

    private NameMemo memo(NameMemo names) {
        return rememberNames ? names : null;
    }

    /**
     * EM sessions, Splink-style: pairs sharing one blocking key, and the fields that key is made of are held fixed
     * (their agreement is forced by the blocking, so the pairs say nothing about them).
     * {scheme, fields estimated...}
     */
    private static final int[][] SESSIONS = {
        {3, Comparisons.DOB, Comparisons.SCHOOL}, // same name phonetics
        {2, Comparisons.FIRST, Comparisons.LAST}, // same birth date and school
        {4, Comparisons.FIRST, Comparisons.SCHOOL}, // same surname phonetics and birth date
        {1, Comparisons.LAST, Comparisons.SCHOOL}, // same first-name phonetics and birth date
    };
    static final int MIN_SESSION_PAIRS = 100;

    /** Estimates m/u from the result rows (a sample of them) against the roster. */
    public FsModel train(RosterIndex index, List<ResultRecord> results) {
        Sample sample = sample(results.size());
        List<ResultRecord> picked = new ArrayList<>(sample.rows().length);
        for (int row : sample.rows()) {
            picked.add(results.get(row));
        }
        return train(index, sample, picked);
    }

    /**
     * Which rows of a batch of {@code total} the fit samples ({@code rows}, positions in the batch, in the order the fit
     * takes them), and the random state the fit goes on with: a batch read in passes keeps only these rows.
     */
    public record Sample(int[] rows, SplittableRandom random) {
    }

    /** The rows a fit of a batch of {@code total} samples ({@link #train(RosterIndex, Sample, List)}). */
    public Sample sample(int total) {
        SplittableRandom rnd = new SplittableRandom(seed);
        if (total <= maxSampleResults) {
            int[] all = new int[total];
            for (int i = 0; i < total; i++) {
                all[i] = i;
            }
            return new Sample(all, rnd);
        }
        int[] idx = new int[total];
        for (int i = 0; i < total; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < maxSampleResults; i++) {
            int j = i + rnd.nextInt(total - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return new Sample(java.util.Arrays.copyOf(idx, maxSampleResults), rnd);
    }

    /**
     * Estimates m/u from a batch's sampled rows: {@code picked} are the rows of {@code sample}, in its order (what
     * {@link #train(RosterIndex, List)} fits on the whole batch). Uses the sample's random state once.
     */
    public FsModel train(RosterIndex index, Sample sample, List<ResultRecord> picked) {
        SplittableRandom rnd = sample.random();
        List<Probe> probes = new ArrayList<>(picked.size());
        for (ResultRecord r : picked) {
            probes.add(index.probe(r));
        }
        double[][] u = estimateU(index, probes, rnd);
        double[][] m = copy(PRIOR_M);
        boolean[] estimatedField = new boolean[Comparisons.FIELDS];
        int iterations = 0;
        long pairsUsed = 0;
        RosterIndex.Scratch s = new RosterIndex.Scratch();
        int[] lv = new int[Comparisons.FIELDS];
        NameMemo names = new NameMemo();
        // two rounds so that each session sees the other sessions' estimates for its fixed fields
        for (int round = 0; round < 2; round++) {
            for (int[] session : SESSIONS) {
                boolean needed = false;
                for (int k = 1; k < session.length; k++) {
                    needed |= round == 1 || !estimatedField[session[k]];
                }
                if (!needed) {
                    continue;
                }
                Map<Integer, long[]> patterns = new HashMap<>();
                long pairs = 0;
                long[] present = new long[Comparisons.FIELDS];
                for (Probe p : probes) {
                    index.candidatesOfScheme(p, session[0], maxBlockSize, s);
                    names.reset();
                    for (int i = 0; i < s.count; i++) {
                        Comparisons.levels(p, index, s.rows[i], lv, memo(names));
                        patterns.computeIfAbsent(encode(lv), k -> new long[1])[0]++;
                        pairs++;
                        for (int f = 0; f < lv.length; f++) {
                            if (lv[f] >= 0) {
                                present[f]++;
                            }
                        }
                    }
                }
                if (pairs < MIN_SESSION_PAIRS) {
                    continue;
                }
                boolean[] free = new boolean[Comparisons.FIELDS];
                boolean any = false;
                for (int k = 1; k < session.length; k++) {
                    int f = session[k];
                    // estimate a field here if it has data and was not estimated earlier in this round
                    if (present[f] >= MIN_SESSION_PAIRS && (round == 1 || !estimatedField[f])) {
                        free[f] = true;
                        any = true;
                    }
                }
                if (!any) {
                    continue;
                }
                iterations += em(patterns, m, u, free, probes.size() / (double) pairs);
                pairsUsed += pairs;
                for (int f = 0; f < Comparisons.FIELDS; f++) {
                    estimatedField[f] |= free[f];
                }
            }
        }
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            if (estimatedField[f] && !constrain(f, m[f], u[f])) {
                estimatedField[f] = false; // degenerate fit: the field keeps its prior m
            }
        }
        boolean estimated = false;
        for (boolean b : estimatedField) {
            estimated |= b;
        }
        double share = estimated ? matchShare(index, probes, m, u) : 0.9;
        double[] id = stateIdRates(index, probes, share);
        return new FsModel(m, u, share, estimated, iterations, pairsUsed, id[0], id[1]);
    }

    /**
     * How often a matched row's state ID is not its student's ({@code [0]}), and how often it is one edit off
     * ({@code [1]}): among sampled rows that sent an ID, those whose ID's student agrees on first and last name
     * (typos, nicknames and swaps allowed) are taken as right, those whose ID is one edit from such a student's as one
     * off; the rest of the rows that have a student ({@code share}) are wrong. Rows whose names are damaged count as
     * wrong IDs, which makes a disagreeing ID weigh less, never more. Priors when fewer than 200 rows sent an ID.
     */
    private static double[] stateIdRates(RosterIndex index, List<Probe> probes, double share) {
        int sent = 0;
        int right = 0;
        int nearRight = 0;
        int withNear = 0;
        int[] rows = new int[16];
        int[] lv = new int[Comparisons.FIELDS];
        for (Probe p : probes) {
            if (p.idFp == 0) {
                continue;
            }
            sent++;
            int k = index.rowsWithStateId(p.idFp, rows);
            boolean ok = false;
            for (int i = 0; i < k && !ok; i++) {
                ok = namesAgree(p, index, rows[i], lv);
            }
            if (ok) {
                right++;
                continue;
            }
            long[] near = p.near() != null ? p.near() : k > 0 ? index.nearOf(rows[0]) : null;
            if (near == null) {
                continue;
            }
            withNear++;
            int j = index.rowsOneEditAway(near, p.idFp, rows);
            for (int i = 0; i < j; i++) {
                if (namesAgree(p, index, rows[i], lv)) {
                    nearRight++;
                    break;
                }
            }
        }
        if (sent < 200) {
            return new double[] {FsModel.PRIOR_ID_OTHER_M, FsModel.PRIOR_ID_NEAR_M};
        }
        double matched = Math.max(1, sent * share);
        double other = Math.min(0.5, Math.max(0.01, 1 - right / matched));
        double near = withNear < 50 ? FsModel.PRIOR_ID_NEAR_M
                : Math.min(other, Math.max(0.002, nearRight / matched * sent / (double) withNear));
        return new double[] {other, Math.min(near, other)};
    }

    /** First and last name agree (exact, nickname, Jaro-Winkler ≥ 0.92, or swapped). */
    static boolean namesAgree(Probe p, RosterIndex index, int row, int[] lv) {
        Comparisons.levels(p, index, row, lv);
        int f = lv[Comparisons.FIRST];
        int l = lv[Comparisons.LAST];
        return f >= 0 && f <= Comparisons.FN_JW92 && l >= 0 && l <= Comparisons.LN_JW92;
    }

    /**
     * EM over pattern counts. Updates {@code m} in place for the free fields; u of the blocked non-matches is
     * estimated alongside (initialised with the random-pair u) but not returned.
     */
    private int em(Map<Integer, long[]> patterns, double[][] m, double[][] u, boolean[] free, double lambda0) {
        int np = patterns.size();
        int[][] pl = new int[np][];
        double[] cnt = new double[np];
        int k = 0;
        for (Map.Entry<Integer, long[]> e : patterns.entrySet()) {
            pl[k] = decode(e.getKey());
            cnt[k] = e.getValue()[0];
            k++;
        }
        double[][] ub = copy(u);
        double lambda = Math.min(0.5, Math.max(0.001, lambda0));
        int iter = 0;
        for (; iter < maxIterations; iter++) {
            double[][] mAcc = zeros();
            double[][] uAcc = zeros();
            double sumG = 0;
            double sumAll = 0;
            for (int i = 0; i < np; i++) {
                double lm = lambda;
                double lu = 1 - lambda;
                int[] levels = pl[i];
                for (int f = 0; f < Comparisons.FIELDS; f++) {
                    if (levels[f] >= 0) {
                        lm *= m[f][levels[f]];
                        lu *= ub[f][levels[f]];
                    }
                }
                double g = lm / (lm + lu);
                double c = cnt[i];
                sumG += c * g;
                sumAll += c;
                for (int f = 0; f < Comparisons.FIELDS; f++) {
                    if (levels[f] >= 0) {
                        mAcc[f][levels[f]] += c * g;
                        uAcc[f][levels[f]] += c * (1 - g);
                    }
                }
            }
            double newLambda = sumG / sumAll;
            double delta = Math.abs(newLambda - lambda);
            for (int f = 0; f < Comparisons.FIELDS; f++) {
                ub[f] = normalize(uAcc[f], 0.5, 1e-6);
                if (!free[f]) {
                    continue;
                }
                double[] acc = mAcc[f];
                for (int l = 0; l < acc.length; l++) {
                    acc[l] += PRIOR_STRENGTH * PRIOR_M[f][l]; // MAP: Dirichlet prior centred on the documented m
                }
                double[] nm = normalize(acc, 0.5, M_FLOOR);
                for (int l = 0; l < nm.length; l++) {
                    delta = Math.max(delta, Math.abs(nm[l] - m[f][l]));
                }
                m[f] = nm;
            }
            lambda = newLambda;
            if (delta < 1e-6) {
                break;
            }
        }
        return iter;
    }

    /**
     * Checks one field's fitted m against u and repairs it in place: every agreement level (all but the last,
     * "different") weighs at least as much as disagreement — a level that does not is raised to the disagreement's
     * likelihood ratio, taking the mass from "different". When exact agreement (level 0) weighs no more than
     * disagreement, or not more than nothing (a negative weight for an exact name, issue 12), the fit is degenerate: {@code m} is replaced by the prior and false is returned.
     */
    static boolean constrain(int field, double[] m, double[] u) {
        int other = m.length - 1;
        double rOther = m[other] / u[other];
        if (m[0] / u[0] <= Math.max(1.0, rOther)) {
            System.arraycopy(PRIOR_M[field], 0, m, 0, m.length);
            return false;
        }
        for (int l = 1; l < other; l++) {
            double r = m[l] / u[l];
            if (r < rOther) {
                double raise = rOther * u[l] - m[l];
                m[l] += raise;
                m[other] -= raise;
                rOther = m[other] / u[other];
            }
        }
        return true;
    }

    /**
     * Share of result rows with a student in the roster: fixed point of "mean posterior that the row has some match"
     * over a sample of rows with all their blocked candidates.
     */
    private double matchShare(RosterIndex index, List<Probe> probes, double[][] m, double[][] u) {
        int k = Math.min(probes.size(), 2000);
        RosterIndex.Scratch s = new RosterIndex.Scratch();
        int[] lv = new int[Comparisons.FIELDS];
        double[] sumL = new double[k];
        double logN = Math.log(Math.max(1, index.size()));
        int near = Comparisons.PLACE_SCHOOL_ONE_EDIT;
        boolean nearSchools = m[Comparisons.SCHOOL][near] > u[Comparisons.SCHOOL][near]; // as the matcher will block
        // each level's log-likelihood ratio worked out once (the same values, added in the same order, as when each
        // pair worked them out)
        double[][] lr = new double[Comparisons.FIELDS][];
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            lr[f] = new double[m[f].length];
            for (int l = 0; l < lr[f].length; l++) {
                lr[f][l] = Math.log(m[f][l] / u[f][l]);
            }
        }
        NameMemo names = new NameMemo();
        int rows = 0;
        for (int i = 0; i < k; i++) {
            Probe p = probes.get(i);
            index.candidates(p, maxBlockSize, nearSchools, s);
            if (s.count == 0) {
                continue; // never scored: the share is the prior of rows that have candidates
            }
            double sum = 0;
            names.reset();
            for (int j = 0; j < s.count; j++) {
                Comparisons.levels(p, index, s.rows[j], lv, memo(names));
                double w = 0;
                for (int f = 0; f < Comparisons.FIELDS; f++) {
                    if (lv[f] >= 0) {
                        w += rememberNames ? lr[f][lv[f]] : Math.log(m[f][lv[f]] / u[f][lv[f]]);
                    }
                }
                sum += Math.exp(Math.min(700, w - logN));
            }
            sumL[rows++] = sum;
        }
        if (rows == 0) {
            return 0.9;
        }
        double pi = 0.9;
        for (int it = 0; it < 50; it++) {
            double acc = 0;
            for (int i = 0; i < rows; i++) {
                double a = pi * sumL[i];
                acc += a / ((1 - pi) + a);
            }
            double next = Math.min(0.99, Math.max(0.01, acc / rows));
            if (Math.abs(next - pi) < 1e-5) {
                pi = next;
                break;
            }
            pi = next;
        }
        return pi;
    }

    /** Random pairs per sampled result row: more says nothing new, the rows' own variety is the limit. */
    static final int RANDOM_PAIRS_PER_ROW = 25;
    /** Fewest random pairs for u: about a hundred for a level as rare as an exact first name (u about 0.005). */
    static final int MIN_RANDOM_PAIRS = 20_000;

    /**
     * How many random pairs estimate u for a sample of this many rows: {@link #RANDOM_PAIRS_PER_ROW} each, at least
     * {@link #MIN_RANDOM_PAIRS}, at most the trainer's {@code randomPairs}. A weekly file of four rows costs a tenth
     * of a full sample's 200,000 pairs (which took about 0.3 s per fit, most of a small file's hub time), and its u
     * is as good as four rows allow.
     */
    int randomPairsFor(int rows) {
        return (int) Math.min(randomPairs, Math.max(MIN_RANDOM_PAIRS, (long) RANDOM_PAIRS_PER_ROW * rows));
    }

    private double[][] estimateU(RosterIndex index, List<Probe> probes, SplittableRandom rnd) {
        if (index.size() < 2 || probes.isEmpty()) {
            return copy(PRIOR_U);
        }
        double[][] acc = zeros();
        int[] lv = new int[Comparisons.FIELDS];
        // the random students drawn from the roster's spread (RosterIndex.spread): the same in every hub
        int[] spread = index.spread;
        int pairs = randomPairsFor(probes.size());
        int[] probeOf = new int[pairs];
        int[] rowOf = new int[pairs];
        for (int i = 0; i < pairs; i++) {
            probeOf[i] = rnd.nextInt(probes.size());
            rowOf[i] = spread[rnd.nextInt(spread.length)];
        }
        if (!rememberNames) {
            // each pair compared in the order drawn (the reference the tests compare the probe-by-probe count with)
            for (int i = 0; i < pairs; i++) {
                Comparisons.levels(probes.get(probeOf[i]), index, rowOf[i], lv);
                count(lv, acc);
            }
            return uOf(acc);
        }
        // compared probe by probe (the counts are the same in any order): a probe's levels against the names it has
        // met are remembered while its pairs are compared
        int[] start = new int[probes.size() + 1];
        for (int i = 0; i < pairs; i++) {
            start[probeOf[i] + 1]++;
        }
        for (int q = 0; q < probes.size(); q++) {
            start[q + 1] += start[q];
        }
        int[] byProbe = new int[pairs];
        int[] next = Arrays.copyOf(start, probes.size());
        for (int i = 0; i < pairs; i++) {
            byProbe[next[probeOf[i]]++] = rowOf[i];
        }
        NameMemo names = new NameMemo();
        for (int q = 0; q < probes.size(); q++) {
            Probe p = probes.get(q);
            names.reset();
            for (int i = start[q]; i < start[q + 1]; i++) {
                Comparisons.levels(p, index, byProbe[i], lv, names);
                count(lv, acc);
            }
        }
        return uOf(acc);
    }

    /** Counts a pair's levels ({@code lv}, missing ones not) into {@code acc}. */
    private static void count(int[] lv, double[][] acc) {
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            if (lv[f] >= 0) {
                acc[f][lv[f]]++;
            }
        }
    }

    /** u from the random pairs' level counts. */
    private static double[][] uOf(double[][] acc) {
        double[][] u = new double[Comparisons.FIELDS][];
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            double sum = Arrays.stream(acc[f]).sum();
            u[f] = sum < 10 ? PRIOR_U[f].clone() : normalize(acc[f], 0.5, 1e-7);
        }
        return u;
    }

    private static double[] normalize(double[] acc, double pseudo, double floor) {
        double[] r = new double[acc.length];
        double sum = 0;
        for (int i = 0; i < acc.length; i++) {
            r[i] = acc[i] + pseudo;
            sum += r[i];
        }
        double s2 = 0;
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.max(floor, r[i] / sum);
            s2 += r[i];
        }
        for (int i = 0; i < r.length; i++) {
            r[i] /= s2;
        }
        return r;
    }

    private static int encode(int[] lv) {
        int code = 0;
        for (int f = 0; f < lv.length; f++) {
            code |= (lv[f] + 1) << (3 * f);
        }
        return code;
    }

    private static int[] decode(int code) {
        int[] lv = new int[Comparisons.FIELDS];
        for (int f = 0; f < lv.length; f++) {
            lv[f] = ((code >>> (3 * f)) & 7) - 1;
        }
        return lv;
    }

    private static double[][] zeros() {
        double[][] z = new double[Comparisons.FIELDS][];
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            z[f] = new double[Comparisons.levels(f)];
        }
        return z;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
