package org.credentialhub.matching;

import java.util.Arrays;

/**
 * The Fellegi-Sunter weights of one fitted model over one roster: log2(m/u) per field and level, the term-frequency
 * adjusted exact-name weights, the state-ID weights (equal, one edit off, different), and from them a candidate's
 * score and its cheap upper bound. Immutable; the matcher's scoring and its explanations both read it.
 */
final class MatchWeights {
    private final RosterIndex index;
    final double[][] w;
    final float[] tfFirst;
    final float[] tfLast;
    /** Weight of a sent state ID that is not the candidate's (evidence against it), and of one one edit off. */
    final double idOtherW;
    final double idNearW;
    /** Weight of a sent state ID equal to the candidate's (see {@link #idEqualWeight}). */
    final double idEqualW;
    /** Largest weight of a level other than exact, per field (a name read swapped or in the other field). */
    final double[] maxNonExact;

    /**
     * The weights of {@code model} over {@code index}: made once and kept with the index for its models used last. A
     * feed's deliveries are matched with the feed's model until the roster or the model changes; made for each
     * delivery, the term-frequency weights (a logarithm per dictionary name) and the ID weights' sample of the roster
     * were a small file's largest part of matching (JFR of bench small-files: 8 of the 22 samples in its decisions).
     */
    static MatchWeights of(RosterIndex index, FsModel model) {
        return index.weights.computeIfAbsent(model, m -> new MatchWeights(index, m));
    }

    MatchWeights(RosterIndex index, FsModel model) {
        this.index = index;
        this.w = new double[Comparisons.FIELDS][];
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            w[f] = new double[Comparisons.levels(f)];
            for (int l = 0; l < w[f].length; l++) {
                w[f][l] = model.weight(f, l);
            }
        }
        this.maxNonExact = new double[Comparisons.FIELDS];
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            maxNonExact[f] = Arrays.stream(w[f]).skip(1).max().orElse(0);
        }
        this.tfFirst = tfWeights(index, model, index.firstDict, Comparisons.FIRST);
        this.tfLast = tfWeights(index, model, index.lastDict, Comparisons.LAST);
        // u of "one edit off": the chance that a random student's ID is one edit from the sent one (at least half a
        // student, so that a sparse sample does not make it infinitely strong)
        double uNear = Math.min(0.5, Math.max(0.5, index.meanIdNeighbours) / Math.max(1, index.size()));
        this.idNearW = FsModel.log2(model.idNearM / uNear);
        this.idOtherW = FsModel.log2(model.idOtherM / (1 - uNear));
        this.idEqualW = idEqualWeight(index, model.idOtherM);
    }

    /**
     * Weight of a sent state ID equal to the candidate's, in the probabilistic tier (an ID that did not stand on its
     * own there): log2((1 - m) / (m · ρ)), m = share of rows whose ID is not their student's, ρ = the chance that a
     * wrong ID lands on some roster student's ID, measured on the roster as the mean number of IDs one edit from a
     * roster ID over the number of one-edit variants of an ID (9 per digit, one per adjacent pair). In a sparse ID
     * range a landing is implausible and an equal ID is strong evidence; in a state's dense range (every other
     * number taken) it is a few bits, which names and birth date that disagree outweigh. 0 without neighbourhoods.
     */
    static double idEqualWeight(RosterIndex index, double idOtherM) {
        if (!index.hasNear()) {
            return 0;
        }
        long len = 0;
        int seen = 0;
        // 500 students, the same in every hub (RosterIndex.spread)
        for (int i = 0; i < Math.min(500, index.spread.length); i++) {
            long[] near = index.nearOf(index.spread[i]);
            if (near != null) {
                len += near.length;
                seen++;
            }
        }
        if (seen == 0) {
            return 0;
        }
        double l = len / (double) seen;
        double variants = Math.max(1, 9 * l + (l - 1));
        double rho = Math.min(1, Math.max(1e-6, index.meanIdNeighbours / variants));
        return Math.max(0, FsModel.log2((1 - idOtherM) / (idOtherM * rho)));
    }

    /** Exact-level weights adjusted for how common each value is among roster students. */
    private static float[] tfWeights(RosterIndex index, FsModel model, RosterIndex.NameDict dict, int field) {
        float[] t = new float[dict.size()];
        double mExact = model.m(field, 0);
        double uAvg = model.u(field, 0);
        double floor = uAvg / 100.0;
        double n = Math.max(1, index.size());
        for (int c = 0; c < t.length; c++) {
            double tf = dict.counts[c] / n;
            t[c] = (float) FsModel.log2(mExact / Math.max(tf, floor));
        }
        return t;
    }

    /** Weight of the sent state ID for a candidate: 0 when either is missing; equal, one edit off or different. */
    double idWeight(Probe p, int row, int[] nearRows, int nearCount) {
        return idWeight(p, row, index.idTagAt(row), nearRows, nearCount);
    }

    /** {@link #idWeight(Probe, int, int[], int)} with the row's state-ID tag already read ({@link RosterIndex#idTag}). */
    double idWeight(Probe p, int row, int tag, int[] nearRows, int nearCount) {
        if (p.idFp == 0) {
            return 0;
        }
        if (tag == 0) {
            return 0;
        }
        if (tag == RosterIndex.idTag(p.idFp) && index.stateFp[row] == p.idFp) {
            return idEqualW;
        }
        for (int q = 0; q < nearCount; q++) {
            if (nearRows[q] == row) {
                return idNearW;
            }
        }
        return idOtherW;
    }

    /** An upper bound of the candidate's score that needs no string comparison. */
    double upperBound(Probe p, int row) {
        return upperBound(p, index.cols, row << RosterIndex.STRIDE_SHIFT);
    }

    /**
     * {@link #upperBound(Probe, int)} of the row whose columns are {@code cols[o .. o + 8)} (the index's, or a copy
     * of them, see {@link RosterIndex#gather}).
     */
    double upperBound(Probe p, int[] cols, int o) {
        double sum = w[Comparisons.DOB].length == 0 ? 0 : dobWeight(p.dobBcd, cols[o + 5]);
        int school = cols[o + 3];
        int pl = Comparisons.placeLevel(p, school, cols[o + 4], index);
        sum += pl < 0 ? 0 : w[Comparisons.SCHOOL][pl];
        return sum + nameBound(p, cols[o], cols[o + 1]);
    }

    /**
     * The probe's bounds of its names against a roster name that is not the sent one ({@link #otherBound}), worked out
     * once a row for these weights and kept on the probe.
     */
    private void otherBounds(Probe p) {
        if (p.otherBoundsOf != this) {
            p.firstOtherBound = otherBound(Comparisons.FIRST, p.firstCode);
            p.lastOtherBound = otherBound(Comparisons.LAST, p.lastCode);
            p.otherBoundsOf = this;
        }
    }

    /** The largest weight of a name read straight that is not the sent one ({@code sentCode}): any level but exact. */
    private double otherBound(int f, int sentCode) {
        double b = Double.NEGATIVE_INFINITY;
        for (int l = 1; l < w[f].length; l++) {
            b = Math.max(b, straightWeight(f, l, sentCode));
        }
        return b;
    }

    /**
     * The weight of a name level other than exact, read straight: a name merely alike never weighs more than the sent
     * name ({@code sentCode} in the field's dictionary, or negative) would agreeing exactly. For a common name
     * (williams) the term-frequency adjusted exact weight is low, and a roster student with a similar name
     * (williamson) must not outscore the one whose name it is.
     */
    private double straightWeight(int f, int level, int sentCode) {
        int other = w[f].length - 1;
        if (sentCode >= 0 && level < other) {
            return Math.min(w[f][level], f == Comparisons.FIRST ? tfFirst[sentCode] : tfLast[sentCode]);
        }
        return w[f][level];
    }

    /**
     * The largest weight the names can add for a roster student with first- and last-name codes {@code fc} and
     * {@code lc}, read as {@link Comparisons#levels} may read them: straight (a name whose code is the sent one's is
     * exact, another is at best alike, capped as {@link #fieldWeight} caps it), swapped, or a single name in the other
     * field (exact only where the sent name is the roster's other name).
     */
    double nameBound(Probe p, int fc, int lc) {
        otherBounds(p);
        boolean firstBoth = p.first != null && fc >= 0;
        boolean lastBoth = p.last != null && lc >= 0;
        boolean firstEqual = firstBoth && p.firstCode == fc;
        boolean lastEqual = lastBoth && p.lastCode == lc;
        double b = (firstBoth ? firstEqual ? tfFirst[fc] : p.firstOtherBound : 0)
                + (lastBoth ? lastEqual ? tfLast[lc] : p.lastOtherBound : 0);
        if (fc < 0 || lc < 0) {
            return b;
        }
        if (firstBoth && lastBoth) {
            if (!firstEqual && !lastEqual) {
                b = Math.max(b, crossFirst(p.firstAsLastCode == lc) + crossLast(p.lastAsFirstCode == fc));
            }
        } else if (lastBoth && p.first == null && !lastEqual) {
            b = Math.max(b, crossFirst(p.lastAsFirstCode == fc));
        } else if (firstBoth && p.last == null && !firstEqual) {
            b = Math.max(b, crossLast(p.firstAsLastCode == lc));
        }
        return b;
    }

    /**
     * A candidate's bound {@code ub} ({@link #upperBound} plus its state-ID weight) made tighter by comparing its last
     * name: the sent last name against the roster's (straight), and where the names could still be read swapped, against
     * the roster's first name; both levels go into {@code memo}, where the full comparison finds them. {@code ub}
     * itself when the last name tells nothing cheaply (it is the sent one, or a single name was sent).
     */
    double boundByLastName(Probe p, int fc, int lc, double ub, NameMemo memo, RosterIndex ix) {
        if (p.first == null || p.last == null || lc < 0 || p.lastCode == lc) {
            return ub;
        }
        double rest = ub - nameBound(p, fc, lc);
        int l = memo.level(NameMemo.LAST, lc, p, ix);
        double lastW = straightWeight(Comparisons.LAST, l, p.lastCode);
        if (fc < 0) {
            return rest + lastW;
        }
        boolean firstEqual = p.firstCode == fc;
        double names = (firstEqual ? tfFirst[fc] : p.firstOtherBound) + lastW;
        if (!firstEqual && l >= Comparisons.LN_JW80) {
            // the names may be read swapped: only if the sent last name is at least alike to the roster first name
            int sl = memo.level(NameMemo.LAST_VS_FIRST, fc, p, ix);
            if (sl >= 0 && sl <= Comparisons.LN_JW80) {
                names = Math.max(names, crossFirst(p.firstAsLastCode == lc) + w[Comparisons.LAST][sl]);
            }
        }
        return rest + names;
    }

    /** Phonetic groups of surnames larger than this are not compared name by name ({@link #deferredBound}). */
    private static final int MAX_GROUP_COMPARED = 64;

    /**
     * An upper bound of the score of any student that only the lookups {@link BlockingIndex#candidates(Probe, int,
     * boolean, RosterIndex.Scratch, boolean)} deferred would find, i.e. that shares none of the other blocking keys
     * with the probe. Such a student has the sent surname's phonetic code, both names (the deferred keys need them),
     * with {@code dobRuledOut} not the sent birth date nor it with day and month swapped, with {@code schoolRuledOut}
     * not the sent school, and is neither a student whose state ID is the sent one nor one whose ID is one edit from
     * it (the matcher adds those whatever the blocking found; the caller widens when it could not add them all).
     * Names: read straight at most the sent names' exact weights (a name merely alike is capped by them, see
     * {@link #straightWeight}); read swapped (only when both straight readings are at best alike) the sent first name
     * against a surname with the sent surname's phonetic code, compared here for each such surname in the roster
     * ({@code memo} keeps the levels for the scoring), and the sent surname against a first name, exact only where
     * the sent surname is a roster first name that the deferred keys could reach. Missing values weigh 0.
     */
    double deferredBound(Probe p, boolean dobRuledOut, boolean schoolRuledOut, NameMemo memo) {
        otherBounds(p);
        double first = Math.max(p.firstCode >= 0 ? tfFirst[p.firstCode] : Double.NEGATIVE_INFINITY, p.firstOtherBound);
        double last = Math.max(p.lastCode >= 0 ? tfLast[p.lastCode] : Double.NEGATIVE_INFINITY, p.lastOtherBound);
        double rest = 0;
        if (p.dob != 0) {
            double d = 0; // a student without a birth date
            for (int l = dobRuledOut ? Comparisons.DOB_ONE_DIGIT : 0; l < w[Comparisons.DOB].length; l++) {
                d = Math.max(d, w[Comparisons.DOB][l]);
            }
            rest += d;
        }
        double place = 0; // a student without a school, or a row that sent none
        boolean sameSchool = p.school >= 0 && !schoolRuledOut;
        for (int l = sameSchool ? 0 : Comparisons.PLACE_SCHOOL_ONE_EDIT; l < w[Comparisons.SCHOOL].length; l++) {
            place = Math.max(place, w[Comparisons.SCHOOL][l]);
        }
        rest += place;
        if (p.idFp != 0) {
            rest += Math.max(0, idOtherW);
        }
        return rest + Math.max(first + last, swappedNamesBound(p, memo));
    }

    /** The largest weight of a deferred student's names read swapped (see {@link #deferredBound}); -infinity if none. */
    private double swappedNamesBound(Probe p, NameMemo memo) {
        RosterIndex.NameDict lastDict = index.lastDict;
        long range = lastDict.withPhonetic(p.lastPh);
        int from = (int) (range >>> 32);
        int to = (int) range;
        double sf = Double.NEGATIVE_INFINITY;
        if (to - from > MAX_GROUP_COMPARED) {
            for (int l = 0; l <= Comparisons.FN_JW80; l++) {
                sf = Math.max(sf, w[Comparisons.FIRST][l]);
            }
        } else {
            for (int i = from; i < to; i++) {
                int l = memo.level(NameMemo.FIRST_VS_LAST, lastDict.byPh[i], p, index);
                if (l >= 0 && l <= Comparisons.FN_JW80) {
                    sf = Math.max(sf, w[Comparisons.FIRST][l]);
                }
            }
        }
        if (sf == Double.NEGATIVE_INFINITY) {
            return sf; // no surname of that sound is alike to the sent first name: never read swapped
        }
        // the sent surname as a roster first name: exactly only where it is one, and the deferred keys (the first
        // name's initial or phonetic code) could reach it
        int asFirst = p.lastAsFirstCode;
        boolean exact = asFirst >= 0 && (index.firstDict.ph[asFirst] == p.firstPh
                || index.firstDict.values[asFirst].startsWith(p.first.substring(0, 1)));
        double sl = Double.NEGATIVE_INFINITY;
        for (int l = exact ? 0 : 1; l <= Comparisons.LN_JW80; l++) {
            sl = Math.max(sl, w[Comparisons.LAST][l]);
        }
        return sf + sl;
    }

    private double crossFirst(boolean exact) {
        return exact ? w[Comparisons.FIRST][0] : maxNonExact[Comparisons.FIRST];
    }

    private double crossLast(boolean exact) {
        return exact ? w[Comparisons.LAST][0] : maxNonExact[Comparisons.LAST];
    }

    /** Weight of the birth-date level of two packed-decimal dates. */
    double dobWeight(int a, int b) {
        int l = Comparisons.birthDateLevelBcd(a, b);
        return l < 0 ? 0 : w[Comparisons.DOB][l];
    }

    double score(Probe p, int row, int[] lv, boolean swapped) {
        double sum = 0;
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            sum += fieldWeight(p.firstCode, p.lastCode, row, f, lv[f], swapped);
        }
        return sum;
    }

    /**
     * The weight of field {@code f} at {@code level} against roster row {@code row}, for a probe whose names have the
     * dictionary codes {@code firstCode} and {@code lastCode} (exact names term-frequency adjusted).
     */
    double fieldWeight(int firstCode, int lastCode, int row, int f, int level, boolean swapped) {
        if (level < 0) {
            return 0.0;
        }
        if (level == 0 && !swapped) {
            if (f == Comparisons.FIRST) {
                return tfFirst[index.first(row)];
            }
            if (f == Comparisons.LAST) {
                return tfLast[index.last(row)];
            }
        }
        if (!swapped && f == Comparisons.FIRST) {
            return straightWeight(f, level, firstCode);
        }
        if (!swapped && f == Comparisons.LAST) {
            return straightWeight(f, level, lastCode);
        }
        return w[f][level];
    }
}
