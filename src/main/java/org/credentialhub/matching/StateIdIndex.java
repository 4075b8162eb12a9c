package org.credentialhub.matching;

import static org.credentialhub.matching.RosterIndex.KEY_BITS;
import static org.credentialhub.matching.RosterIndex.ROW_BITS;
import static org.credentialhub.matching.RosterIndex.ROW_MASK;
import static org.credentialhub.matching.RosterIndex.mix;

import java.util.Arrays;
import org.credentialhub.support.Hmac;

/**
 * State-ID lookups over the roster: the rows whose ID fingerprint is a sent one, and the rows whose ID is one edit from
 * it, found through the IDs' keyed deletion neighbourhoods ({@link org.credentialhub.support.Hmac#stateIdNear}).
 * Immutable; keys are packed like the blocking tables' (key hash and row number in one {@code long}, sorted).
 */
final class StateIdIndex {
    private final int n;
    /** The roster's ID fingerprint column (shared with {@link RosterIndex}, not copied). */
    private final long[] stateFp;
    private final int dirBits;
    private final long[] idBlock;
    /** Bucket directory over {@link #idBlock} (a few entries a bucket: one read of it instead of a binary search). */
    private final int[] idDir;
    private final int idDirBits;
    /**
     * State IDs' deletion neighbourhoods: entries of row r are {@code nearFp[nearStart[r] .. nearStart[r + 1])}, in
     * position order; {@link #nearBlock} indexes them all.
     */
    private final long[] nearFp;
    /** The entries in {@link #nearFp} (the array may be a little longer: a builder's estimate, not copied to trim). */
    private final int nearCount;
    private final int[] nearStart;
    private final long[] nearBlock;
    private final int[] nearDir;

    /**
     * @param stateFp   the roster's ID fingerprints by row (0 = none)
     * @param nearFp    all rows' neighbourhood entries, {@code nearCount} of them, in row order (kept, not copied, when
     *                  at most {@link #NEAR_SLACK} of it is unused: a copy to trim it would hold both at once)
     * @param nearStart per row the first entry of its neighbourhood (n + 1 values)
     */
    StateIdIndex(int n, long[] stateFp, long[] nearFp, int nearCount, int[] nearStart, int dirBits) {
        this.n = n;
        this.stateFp = stateFp;
        this.dirBits = dirBits;
        long[] idArr = new long[n];
        int k = 0;
        for (int row = 0; row < n; row++) {
            if (stateFp[row] != 0) {
                idArr[k++] = (mix(stateFp[row]) >>> (64 - KEY_BITS)) << ROW_BITS | row;
            }
        }
        idArr = Arrays.copyOf(idArr, k);
        Arrays.parallelSort(idArr);
        this.idBlock = idArr;
        this.idDirBits = Math.max(1, dirBits - 2);
        this.idDir = BlockingIndex.directory(idArr, idDirBits);
        this.nearFp = trimmed(nearFp, nearCount);
        this.nearCount = nearCount;
        this.nearStart = nearStart.length == n + 1 ? nearStart : Arrays.copyOf(nearStart, n + 1);
        long[] nearArr = new long[nearCount];
        for (int row = 0; row < n; row++) {
            int start = this.nearStart[row];
            int len = Math.min(this.nearStart[row + 1] - start, TAG_UNKNOWN);
            for (int e = start; e < this.nearStart[row + 1]; e++) {
                nearArr[e] = nearKey(this.nearFp[e]) << (ROW_BITS + TAG_BITS) | (long) row << TAG_BITS
                        | (long) Math.min(e - start, TAG_UNKNOWN) << 6 | len;
            }
        }
        Arrays.parallelSort(nearArr);
        this.nearBlock = nearArr;
        this.nearDir = BlockingIndex.directory(nearArr, dirBits);
    }

    /** The share of a neighbourhood array that may be left unused and kept as it is. */
    static final double NEAR_SLACK = 1.0 / 16;

    /** {@code count} neighbourhood entries: the array as it is when at most {@link #NEAR_SLACK} of it is unused. */
    static long[] trimmed(long[] entries, int count) {
        return entries.length - count <= entries.length * NEAR_SLACK ? entries : Arrays.copyOf(entries, count);
    }

    /**
     * Layout of a neighbourhood table entry ({@link #nearBlock}), 63 bits: the entry's key hash
     * ({@value #NEAR_KEY_BITS} bits), the row ({@link RosterIndex#ROW_BITS} bits), the entry's position in its row's
     * neighbourhood and the neighbourhood's length (6 bits each, {@value #TAG_UNKNOWN} for 63 or more). Sorted, the
     * rows of one key stay in row order. Position and length let a lookup pass over the rows whose entry is equal
     * but cannot be one edit away (at another position, or an ID of another length) without reading their
     * neighbourhoods at random places of the roster; such rows are most of a dense ID range's block entries.
     */
    static final int TAG_BITS = 12;
    static final int TAG_UNKNOWN = 63;
    static final int NEAR_KEY_BITS = 63 - ROW_BITS - TAG_BITS;

    private static long nearKey(long entry) {
        return mix(entry) >>> (64 - NEAR_KEY_BITS);
    }

    /** Rows whose state-ID fingerprint equals the probe's; appended to {@code out}, count returned. */
    int rowsWithStateId(long fp, int[] out) {
        if (fp == 0) {
            return 0;
        }
        long key = mix(fp) >>> (64 - KEY_BITS);
        long[] arr = idBlock;
        int bucket = (int) (key >>> (KEY_BITS - idDirBits));
        int i = idDir[bucket];
        int end = idDir[bucket + 1];
        long lo = key << ROW_BITS;
        while (i < end && arr[i] < lo) {
            i++;
        }
        int k = 0;
        while (i < arr.length && (arr[i] >>> ROW_BITS) == key && k < out.length) {
            int row = (int) (arr[i] & ROW_MASK);
            if (stateFp[row] == fp) {
                out[k++] = row;
            }
            i++;
        }
        return k;
    }

    /** The entries of a {@link org.credentialhub.support.Hmac#stateIdNear} string, or null when absent or malformed. */
    static long[] parseNear(String near) {
        int w = Hmac.NEAR_HEX;
        if (near == null || near.isEmpty() || near.length() % w != 0) {
            return null;
        }
        long[] out = new long[near.length() / w];
        try {
            for (int i = 0; i < out.length; i++) {
                out[i] = Long.parseUnsignedLong(near, i * w, (i + 1) * w, 16);
            }
        } catch (NumberFormatException e) {
            return null; // no value in the message: the string is a keyed hash, but say nothing of it
        }
        return out;
    }

    /** A neighbourhood's entries as {@link Hmac#stateIdNear} writes them ({@link #parseNear}'s inverse). */
    static String formatNear(long[] near) {
        return Hmac.nearText(near);
    }

    /** The deletion neighbourhood of a row's state ID, or null when the roster did not provide it. */
    long[] nearOf(int row) {
        int from = nearStart[row];
        int to = nearStart[row + 1];
        return from == to ? null : Arrays.copyOfRange(nearFp, from, to);
    }

    /**
     * Mean count of IDs one edit from a student's ID, over up to 2,000 students: the first of {@code spread}, rows in
     * an order of their contents ({@link RosterIndex#spread}), so the same students in every hub.
     */
    double sampleIdNeighbours(int[] spread) {
        if (nearCount == 0) {
            return 0;
        }
        int[] out = new int[256];
        long sum = 0;
        int sampled = 0;
        for (int i = 0; i < Math.min(2000, spread.length); i++) {
            int row = spread[i];
            long[] near = nearOf(row);
            if (near != null) {
                sum += rowsOneEditAway(near, stateFp[row], out);
                sampled++;
            }
        }
        return sampled == 0 ? 0 : sum / (double) sampled;
    }

    /** Whether any student's ID neighbourhood is indexed (else IDs one edit away cannot be found). */
    boolean hasNear() {
        return nearCount > 0;
    }

    /**
     * Rows whose state ID is one edit from the ID of the neighbourhood {@code near} (one character replaced, or two
     * adjacent characters swapped; same length), other than rows whose ID fingerprint is {@code idFp}. Written to
     * {@code out} (at most its length), count returned.
     */
    int rowsOneEditAway(long[] near, long idFp, int[] out) {
        return rowsOneEditAway(near, idFp, null, 0, out);
    }

    /**
     * {@link #rowsOneEditAway(long[], long, int[])}, given the rows whose ID fingerprint is {@code idFp}
     * ({@link #rowsWithStateId}'s answer: {@code sameIdCount} rows of {@code sameId}, all of them when fewer than its
     * length). Each of the ID's own students shares every entry of its neighbourhood; telling them apart by that
     * list rather than by their fingerprint saves a read at a random place of the roster per entry.
     *
     * <p>The entries' directory buckets and their tables' first entries are read for all entries first, in loops whose
     * reads do not depend on each other (the processor keeps them in flight together), then the entries are gone
     * through in order as before: the rows found and their order are the same.
     */
    int rowsOneEditAway(long[] near, long idFp, int[] sameId, int sameIdCount, int[] out) {
        if (near == null || nearBlock.length == 0) {
            return 0;
        }
        boolean sameIdComplete = sameId != null && sameIdCount < sameId.length;
        int len = near.length;
        long[] keys = new long[len];
        int[] bounds = new int[len * 2];
        int shift = NEAR_KEY_BITS - dirBits;
        int lenTag = Math.min(len, TAG_UNKNOWN);
        for (int i = 0; i < len; i++) {
            long key = nearKey(near[i]);
            keys[i] = key;
            int bucket = (int) (key >>> shift);
            bounds[2 * i] = nearDir[bucket];
            bounds[2 * i + 1] = nearDir[bucket + 1];
        }
        long[] first = new long[len];
        for (int i = 0; i < len; i++) {
            int j = bounds[2 * i];
            first[i] = j < bounds[2 * i + 1] ? nearBlock[j] : Long.MAX_VALUE;
        }
        // the rows that may be one edit away (entry i of the sent ID, position and length fitting), in the order of
        // the entries and of their blocks
        int[] found = new int[2 * len + 8];
        int nf = 0;
        for (int i = 0; i < len; i++) {
            long key = keys[i];
            if ((first[i] >>> (ROW_BITS + TAG_BITS)) > key) {
                continue; // the bucket is empty or starts past the key (later buckets hold other keys)
            }
            int j = bounds[2 * i];
            int end = bounds[2 * i + 1];
            long lo = key << (ROW_BITS + TAG_BITS);
            while (j < end && nearBlock[j] < lo) {
                j++;
            }
            while (j < nearBlock.length && (nearBlock[j] >>> (ROW_BITS + TAG_BITS)) == key) {
                long entry = nearBlock[j];
                j++;
                int pos = (int) (entry >>> 6) & TAG_UNKNOWN;
                // a row one edit away has this entry at position i, i - 1 or i + 1 (checked below), and an ID of
                // this length
                if ((entry & TAG_UNKNOWN) != lenTag || (pos == TAG_UNKNOWN ? i < TAG_UNKNOWN - 1 : Math.abs(pos - i) > 1)) {
                    continue;
                }
                int row = (int) ((entry >>> TAG_BITS) & ROW_MASK);
                if (sameIdComplete ? contains(sameId, sameIdCount, row) : stateFp[row] == idFp) {
                    continue;
                }
                if (nf + 2 > found.length) {
                    found = Arrays.copyOf(found, found.length * 2);
                }
                found[nf++] = row;
                found[nf++] = i;
            }
        }
        // their neighbourhoods' bounds, then the entries compared: reads at random places, each independent of the
        // others (in flight together), in the same order as above
        int[] starts = new int[nf];
        for (int c = 0; c < nf; c += 2) {
            int row = found[c];
            starts[c] = nearStart[row];
            starts[c + 1] = nearStart[row + 1];
        }
        boolean[] oneEdit = new boolean[nf >> 1];
        for (int c = 0; c < nf; c += 2) {
            int o = starts[c];
            int i = found[c + 1];
            oneEdit[c >> 1] = starts[c + 1] - o == len && (nearFp[o + i] == near[i]
                    || i + 1 < len && nearFp[o + i + 1] == near[i] && nearFp[o + i] == near[i + 1]
                    || i > 0 && nearFp[o + i - 1] == near[i] && nearFp[o + i] == near[i - 1]);
        }
        int k = 0;
        for (int c = 0; c < nf; c += 2) {
            if (!oneEdit[c >> 1]) {
                continue;
            }
            int row = found[c];
            boolean seen = false;
            for (int q = 0; q < k; q++) {
                seen |= out[q] == row;
            }
            if (!seen && k < out.length) {
                out[k++] = row;
            }
        }
        return k;
    }

    private static boolean contains(int[] rows, int count, int row) {
        for (int q = 0; q < count; q++) {
            if (rows[q] == row) {
                return true;
            }
        }
        return false;
    }
}
