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
 *   <li>m and the match share by expectation-maximisation over the candidate pairs that blocking produces for a
 *       sample of the result rows (latent-class model with conditional independence; u is re-estimated inside EM
 *       for the blocked non-matches, but the final weights use the random-pair u).</li>
 * </ul>
 * With too little data (fewer than 100 candidate pairs) a documented prior m is used instead of EM.
 */
public final class ModelTrainer {
    /** Prior m (also EM's starting point), per field and level. */
    static final double[][] PRIOR_M = {
        {0.86, 0.02, 0.05, 0.03, 0.04},
        {0.88, 0.05, 0.03, 0.04},
        {0.88, 0.02, 0.05, 0.02, 0.03},
        {0.85, 0.15},
        {0.90, 0.10},
    };
    /** Fallback u when the roster is too small to sample. */
    static final double[][] PRIOR_U = {
        {0.005, 0.001, 0.004, 0.03, 0.96},
        {0.002, 0.003, 0.03, 0.965},
        {0.0005, 0.0001, 0.003, 0.2, 0.7964},
        {0.01, 0.99},
        {0.05, 0.95},
    };
    static final double M_FLOOR = 0.002;

    private int maxSampleResults = 8000;
    private int randomPairs = 200_000;
    private int maxIterations = 200;
    private long seed = 42;
    private int maxBlockSize = MatchSettings.defaults().maxBlockSize();

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

    /** Estimates m/u from the result rows (a sample of them) against the roster. */
    public FsModel train(RosterIndex index, List<ResultRecord> results) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Probe> probes = new ArrayList<>();
        int total = results.size();
        if (total <= maxSampleResults) {
            for (ResultRecord r : results) {
                probes.add(index.probe(r));
            }
        } else {
            // reservoir-free: random distinct indices via partial shuffle of an index array
            int[] idx = new int[total];
            for (int i = 0; i < total; i++) {
                idx[i] = i;
            }
            for (int i = 0; i < maxSampleResults; i++) {
                int j = i + rnd.nextInt(total - i);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
                probes.add(index.probe(results.get(idx[i])));
            }
        }
        double[][] u = estimateU(index, probes, rnd);

        // candidate-pair patterns
        Map<Integer, long[]> patterns = new HashMap<>();
        RosterIndex.Scratch s = new RosterIndex.Scratch();
        int[] lv = new int[Comparisons.FIELDS];
        long pairs = 0;
        for (Probe p : probes) {
            index.candidates(p, maxBlockSize, s);
            for (int i = 0; i < s.count; i++) {
                Comparisons.levels(p, index, s.rows[i], lv);
                patterns.computeIfAbsent(encode(lv), k -> new long[1])[0]++;
                pairs++;
            }
        }
        if (pairs < 100 || probes.size() < 20) {
            return new FsModel(copy(PRIOR_M), u, 0.9, false, 0, pairs);
        }
        int np = patterns.size();
        int[][] pl = new int[np][];
        double[] cnt = new double[np];
        int k = 0;
        for (Map.Entry<Integer, long[]> e : patterns.entrySet()) {
            pl[k] = decode(e.getKey());
            cnt[k] = e.getValue()[0];
            k++;
        }
        double[][] m = copy(PRIOR_M);
        double[][] ub = copy(u);
        double lambda = Math.min(0.5, Math.max(0.001, probes.size() / (double) pairs));
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
                double[] nm = normalize(mAcc[f], 0.5, M_FLOOR);
                double[] nu = normalize(uAcc[f], 0.5, 1e-6);
                for (int l = 0; l < nm.length; l++) {
                    delta = Math.max(delta, Math.abs(nm[l] - m[f][l]));
                }
                m[f] = nm;
                ub[f] = nu;
            }
            lambda = newLambda;
            if (delta < 1e-6) {
                break;
            }
        }
        double share = Math.min(0.99, Math.max(0.01, lambda * pairs / probes.size()));
        return new FsModel(m, u, share, true, iter, pairs);
    }

    private double[][] estimateU(RosterIndex index, List<Probe> probes, SplittableRandom rnd) {
        if (index.size() < 2 || probes.isEmpty()) {
            return copy(PRIOR_U);
        }
        double[][] acc = zeros();
        int[] lv = new int[Comparisons.FIELDS];
        int n = index.size();
        for (int i = 0; i < randomPairs; i++) {
            Probe p = probes.get(rnd.nextInt(probes.size()));
            Comparisons.levels(p, index, rnd.nextInt(n), lv);
            for (int f = 0; f < Comparisons.FIELDS; f++) {
                if (lv[f] >= 0) {
                    acc[f][lv[f]]++;
                }
            }
        }
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
