package org.credentialhub.matching;

import java.util.Locale;

/**
 * Fellegi-Sunter parameters: per field and comparison level the probability m (among true matches) and u (among
 * random pairs), plus the share of result rows that have a match in the roster. Immutable.
 */
public final class FsModel {
    final double[][] m;
    final double[][] u;
    final double matchShare;
    final boolean estimated;
    final int emIterations;
    final long trainingPairs;
    /** P(the sent state ID is not the student's | match, both IDs present): weighs a disagreeing ID. */
    final double idOtherM;
    /** P(the sent state ID is one edit from the student's | match, both IDs present). */
    final double idNearM;
    /** Priors of {@link #idOtherM} and {@link #idNearM} when the data cannot tell. */
    static final double PRIOR_ID_OTHER_M = 0.10;
    static final double PRIOR_ID_NEAR_M = 0.03;

    FsModel(double[][] m, double[][] u, double matchShare, boolean estimated, int emIterations, long trainingPairs) {
        this(m, u, matchShare, estimated, emIterations, trainingPairs, PRIOR_ID_OTHER_M, PRIOR_ID_NEAR_M);
    }

    FsModel(double[][] m, double[][] u, double matchShare, boolean estimated, int emIterations, long trainingPairs,
            double idOtherM, double idNearM) {
        this.idOtherM = idOtherM;
        this.idNearM = idNearM;
        this.m = m;
        this.u = u;
        this.matchShare = matchShare;
        this.estimated = estimated;
        this.emIterations = emIterations;
        this.trainingPairs = trainingPairs;
    }

    /** P(level | match). */
    public double m(int field, int level) {
        return m[field][level];
    }

    /** P(level | non-match), estimated from random pairs. */
    public double u(int field, int level) {
        return u[field][level];
    }

    /** Match weight log2(m/u) of a level; 0 for a missing value. */
    public double weight(int field, int level) {
        return level < 0 ? 0.0 : log2(m[field][level] / u[field][level]);
    }

    /** Estimated share of result rows that have their student in the roster. */
    public double matchShare() {
        return matchShare;
    }

    /** True if m was estimated by EM (false: too little data, the documented prior m was used). */
    public boolean estimated() {
        return estimated;
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** Summary of the parameters (levels and numbers only; no data values). */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "model: %s, em_iterations=%d, pairs=%d, match_share=%.3f%n",
                estimated ? "EM-estimated" : "prior", emIterations, trainingPairs, matchShare));
        b.append(String.format(Locale.ROOT, "  state_id: [other m=%.4f] [one edit off m=%.4f]%n", idOtherM, idNearM));
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            b.append("  ").append(Comparisons.FIELD_NAMES[f]).append(':');
            for (int l = 0; l < m[f].length; l++) {
                b.append(String.format(Locale.ROOT, " [%s m=%.4f u=%.5f w=%+.1f]", Comparisons.LEVEL_LABELS[f][l],
                        m[f][l], u[f][l], weight(f, l)));
            }
            b.append(System.lineSeparator());
        }
        return b.toString();
    }
}
