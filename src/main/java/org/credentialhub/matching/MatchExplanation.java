package org.credentialhub.matching;

import java.util.ArrayList;
import java.util.List;

/**
 * Explains decisions: the candidates a decision reports, each with its match weight and human-readable reasons (per
 * field the agreement level and its weight, the state ID's weight, and the decision's note). Reasons carry labels and
 * weights only, never names, dates or IDs, and are built only when read.
 */
final class MatchExplanation {
    private final RosterIndex index;
    private final MatchWeights weights;

    MatchExplanation(RosterIndex index, MatchWeights weights) {
        this.index = index;
        this.weights = weights;
    }

    /**
     * The {@code k} candidates of {@code rows[0..n)} with the highest weights {@code ws} (pruned ones, negative
     * infinity, never), best first; the best carries the note. {@code levels[i]} are candidate {@code i}'s levels as
     * {@link #pack} packs them (the scoring's).
     */
    List<Candidate> top(Probe p, double[] ws, int[] rows, int[] levels, int n, int k, String note, int[] nearRows,
                        int nearCount) {
        int[] picked = new int[Math.min(k, n)];
        int count = 0;
        for (int j = 0; j < picked.length; j++) {
            int bestI = -1;
            for (int i = 0; i < n; i++) {
                if (ws[i] == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                boolean taken = false;
                for (int q = 0; q < count; q++) {
                    taken |= picked[q] == i;
                }
                if (!taken && (bestI < 0 || Matcher.ahead(ws, rows, i, bestI, index))) {
                    bestI = i;
                }
            }
            if (bestI < 0) {
                break;
            }
            picked[count++] = bestI;
        }
        return ranked(p, ws, rows, levels, picked, count, note, nearRows, nearCount);
    }

    /**
     * The candidates {@code picked[0..count)} (positions in {@code rows}, {@code ws} and {@code levels}), in that
     * order, the first with the note: {@link #top}'s, or those the ranking found already.
     */
    List<Candidate> ranked(Probe p, double[] ws, int[] rows, int[] levels, int[] picked, int count, String note,
                           int[] nearRows, int nearCount) {
        if (count == 0) {
            return List.of();
        }
        long[] packed = new long[Ranked.LONGS * count];
        for (int j = 0; j < count; j++) {
            int i = picked[j];
            int o = Ranked.LONGS * j;
            packed[o] = (long) rows[i] << 32 | (levels[i] & 0xFFFF_FFFFL);
            packed[o + 1] = Double.doubleToRawLongBits(ws[i]);
            packed[o + 2] = Double.doubleToRawLongBits(weights.idWeight(p, rows[i], nearRows, nearCount));
        }
        return new Ranked(this, p.firstCode, p.lastCode, packed, note);
    }

    /**
     * Ranked candidates kept as a row, its packed levels, its weight and its ID's weight each, in one array; each
     * {@link Candidate} made when read. Most decisions are automatic matches whose candidates (the match and the
     * runner-up) nobody reads unless two rows of a group claim the same student; a batch's decisions live until the
     * batch is done, and two candidates with their reasons and a list were about 200 bytes a row where these are
     * about 100. Immutable, thread-safe; each read gives an equal candidate.
     */
    private static final class Ranked extends java.util.AbstractList<Candidate> implements java.util.RandomAccess {
        /** Longs per candidate: row and levels, weight, ID's weight. */
        static final int LONGS = 3;
        private final MatchExplanation explanation;
        private final int firstCode;
        private final int lastCode;
        private final long[] packed;
        private final String note;

        Ranked(MatchExplanation explanation, int firstCode, int lastCode, long[] packed, String note) {
            this.explanation = explanation;
            this.firstCode = firstCode;
            this.lastCode = lastCode;
            this.packed = packed;
            this.note = note;
        }

        @Override
        public Candidate get(int i) {
            java.util.Objects.checkIndex(i, size());
            int o = LONGS * i;
            int row = (int) (packed[o] >>> 32);
            double idW = Double.longBitsToDouble(packed[o + 2]);
            return new Candidate(explanation.index.idAt(row), Double.longBitsToDouble(packed[o + 1]),
                    new Reasons(explanation, firstCode, lastCode, row, (int) packed[o], idW, i == 0 ? note : null));
        }

        @Override
        public int size() {
            return packed.length / LONGS;
        }
    }

    /**
     * A candidate with its match weight; its per-field reasons (labels and weights only, never the values) are
     * built when first read (see {@link Reasons}).
     */
    Candidate explain(Probe p, int row, int[] lv, int[] nearRows, int nearCount, String note) {
        boolean swapped = Comparisons.levels(p, index, row, lv);
        double idW = weights.idWeight(p, row, nearRows, nearCount);
        return new Candidate(index.idAt(row), weights.score(p, row, lv, swapped) + idW,
                new Reasons(this, p.firstCode, p.lastCode, row, pack(lv, swapped), idW, note));
    }

    /**
     * A candidate's levels ({@link Comparisons#levels}) and whether its names were read swapped, in an int: each
     * field's level plus one in four bits, the swap above them.
     */
    static int pack(int[] lv, boolean swapped) {
        int packed = swapped ? 1 << (4 * Comparisons.FIELDS) : 0;
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            packed |= (lv[f] + 1) << (4 * f);
        }
        return packed;
    }

    /** Field {@code f}'s level of {@link #pack packed} levels. */
    static int level(int packed, int f) {
        return (packed >>> (4 * f) & 0xF) - 1;
    }

    /** Whether {@link #pack packed} levels read the names swapped. */
    static boolean swapped(int packed) {
        return (packed >>> (4 * Comparisons.FIELDS) & 1) != 0;
    }

    /**
     * The reason strings of one candidate, {@link Comparisons#FIELDS} entries plus the note, if any, from its
     * {@link #pack packed} levels and the sent names' dictionary codes.
     */
    private List<String> reasons(int firstCode, int lastCode, int row, int levels, double idW, String note) {
        boolean swapped = swapped(levels);
        List<String> reasons = new ArrayList<>(Comparisons.FIELDS + 1);
        for (int f = 0; f < Comparisons.FIELDS; f++) {
            int l = level(levels, f);
            double fw = weights.fieldWeight(firstCode, lastCode, row, f, l, swapped);
            StringBuilder b = new StringBuilder(48).append(Comparisons.FIELD_NAMES[f]).append(": ");
            if (l < 0) {
                b.append("missing");
            } else {
                b.append(Comparisons.LEVEL_LABELS[f][l]);
                if (l == 0 && !swapped && (f == Comparisons.FIRST || f == Comparisons.LAST)) {
                    b.append(", term-frequency adjusted");
                }
                if (swapped && (f == Comparisons.FIRST || f == Comparisons.LAST)) {
                    b.append(", first/last names swapped");
                }
            }
            b.append(" (").append(fw >= 0 ? "+" : "\u2212").append(oneDecimal(Math.abs(fw))).append(')');
            reasons.add(b.toString());
        }
        if (idW != 0) {
            reasons.add("state_id: " + (idW == weights.idEqualW ? "equal" : idW == weights.idNearW ? "one digit off" : "different") + " ("
                    + (idW >= 0 ? "+" : "\u2212") + oneDecimal(Math.abs(idW)) + ')');
        }
        if (note != null) {
            reasons.add(note);
        }
        return List.copyOf(reasons);
    }

    /**
     * A candidate's reasons, built on first access: in bulk most rows are auto-matched and nobody reads their reasons
     * (the pipeline stores candidates of reviews only), so building strings for every row would be wasted work. It
     * keeps the levels the scoring found, packed, and the sent names' codes the name weights read, not the probe: a
     * batch's decisions live until the batch is done, and a probe is several times their size (the young
     * collections' copying and the old generation's growth during a batch were mostly probes). An immutable list;
     * thread-safe (built at most a few times, always to the same strings).
     */
    private static final class Reasons extends java.util.AbstractList<String> implements java.util.RandomAccess {
        private final MatchExplanation explanation;
        private final int row;
        private final int levels;
        private final int firstCode;
        private final int lastCode;
        private final String note;
        private final double idW;
        private volatile List<String> built;

        Reasons(MatchExplanation explanation, int firstCode, int lastCode, int row, int levels, double idW,
                String note) {
            this.explanation = explanation;
            this.row = row;
            this.levels = levels;
            this.firstCode = firstCode;
            this.lastCode = lastCode;
            this.idW = idW;
            this.note = note;
        }

        private List<String> list() {
            List<String> l = built;
            if (l == null) {
                l = explanation.reasons(firstCode, lastCode, row, levels, idW, note);
                built = l;
            }
            return l;
        }

        @Override
        public String get(int i) {
            return list().get(i);
        }

        @Override
        public int size() {
            return Comparisons.FIELDS + (idW == 0 ? 0 : 1) + (note == null ? 0 : 1);
        }
    }

    private static String oneDecimal(double v) {
        long t = Math.round(v * 10);
        return (t / 10) + "." + (t % 10);
    }
}
