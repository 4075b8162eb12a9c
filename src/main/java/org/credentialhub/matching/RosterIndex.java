package org.credentialhub.matching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.codec.language.DoubleMetaphone;

/**
 * Compact in-memory index of the state roster: column arrays of primitive values, dictionary-encoded names and
 * places, state-ID fingerprints, and blocking keys packed into sorted {@code long[]} arrays (39-bit key hash and
 * 24-bit row number per entry). Immutable after {@link #build}, safe to read from many threads. Holds up to
 * 16,777,215 students; 1.5 million take roughly 150 MB.
 *
 * <p>Blocking (a pair is only compared when it shares one of these keys; the matcher never compares all pairs):
 * <ol start="0">
 *   <li>surname phonetic code (Double Metaphone) + first initial + birth year</li>
 *   <li>first-name phonetic code + birth date</li>
 *   <li>birth date + school</li>
 *   <li>surname phonetic code + first-name phonetic code</li>
 *   <li>surname phonetic code + birth date</li>
 *   <li>surname phonetic code + school</li>
 *   <li>first-name phonetic code + school</li>
 *   <li>first initial + surname initial + school</li>
 *   <li>first initial + surname initial + birth date</li>
 *   <li>first three letters of the surname + first initial </li>
 *   <li>first three letters of the first name + surname initial </li>
 *   <li>first initial + school</li>
 *   <li>surname initial + school</li>
 *   <li>first-name phonetic code + birth year </li>
 *   <li>surname initial + birth date</li>
 * </ol>
 * Name keys 3, 7 and 8 are also queried with first and last name swapped; keys with a birth date also with day and
 * month swapped. A key whose block exceeds {@link MatchSettings#maxBlockSize()} students (loose keys 9-14: a hundredth of it, so
 * they only act where they are selective, e.g. in small rosters or for rare values) is skipped for that row . Lookups go through a bucket directory over the top bits of
 * the key hash, so each costs two or three memory reads.
 * Keys with a birth date are also queried with day and month swapped.
 */
public final class RosterIndex {
    static final int ROW_BITS = 24;
    static final long ROW_MASK = (1L << ROW_BITS) - 1;
    static final int KEY_BITS = 39;
    static final int SCHEMES = 15;
    /** Schemes from this one on are loose: used only where their block is small (a hundredth of the limit). */
    static final int FIRST_LOOSE = 9;

    final int n;
    final long[] ids;
    final long[] stateFp;
    /**
     * Per row, 8 ints: first-name code, last-name code, birth date (yyyymmdd), school code, district code, birth date
     * as packed decimal digits ({@link Comparisons#bcd}), state-ID tag ({@link #idTag}: the ID fingerprint's low bits,
     * read with the other columns), unused.
     */
    final int[] cols;
    static final int STRIDE_SHIFT = 3;
    final NameDict firstDict;
    final NameDict lastDict;
    final HashMap<String, Integer> schoolDict;
    final HashMap<String, Integer> districtDict;
    /**
     * School codes one character apart: for each school value and position, the value with that character replaced by
     * a wildcard, mapped to the schools that have it ({@link #schoolsOneEditAway}).
     */
    private final HashMap<String, int[]> schoolWild;
    /** School values by code. */
    final String[] schoolValues;
    final long[][] blocks;
    final int[][] dirs;
    final int dirBits;
    final long[] idBlock;
    /**
     * State IDs' deletion neighbourhoods ({@link org.credentialhub.support.Hmac#stateIdNear}): entries of row r are
     * {@code nearFp[nearStart[r] .. nearStart[r + 1])}, in position order; {@link #nearBlock} indexes them all.
     */
    final long[] nearFp;
    final int[] nearStart;
    final long[] nearBlock;
    final int[] nearDir;
    /** Mean number of other students whose ID is one edit from a student's (from a sample; 0 without neighbourhoods). */
    final double meanIdNeighbours;
    final long buildNanos;

    private RosterIndex(Builder b, long startNanos) {
        this.n = b.n;
        this.ids = Arrays.copyOf(b.ids, n);
        this.stateFp = Arrays.copyOf(b.stateFp, n);
        this.cols = new int[n << STRIDE_SHIFT];
        for (int row = 0; row < n; row++) {
            int o = row << STRIDE_SHIFT;
            cols[o] = b.first[row];
            cols[o + 1] = b.last[row];
            cols[o + 2] = b.dob[row];
            cols[o + 3] = b.school[row];
            cols[o + 4] = b.district[row];
            cols[o + 5] = Comparisons.bcd(b.dob[row]);
            cols[o + 6] = idTag(b.stateFp[row]);
        }
        b.releaseArrays();
        this.firstDict = b.firstNames.freeze();
        this.lastDict = b.lastNames.freeze();
        this.schoolDict = b.schools;
        this.districtDict = b.districts;
        this.schoolWild = wildcards(schoolDict);
        this.schoolValues = new String[schoolDict.size()];
        for (Map.Entry<String, Integer> e : schoolDict.entrySet()) {
            schoolValues[e.getValue()] = e.getKey();
        }
        this.blocks = new long[SCHEMES][];
        this.dirs = new int[SCHEMES][];
        this.dirBits = Math.max(8, Math.min(22, 64 - Long.numberOfLeadingZeros(Math.max(1, n))));
        for (int s = 0; s < SCHEMES; s++) {
            long[] arr = new long[n];
            int k = 0;
            for (int row = 0; row < n; row++) {
                long key = rowKey(s, row);
                if (key >= 0) {
                    arr[k++] = (key << ROW_BITS) | row;
                }
            }
            arr = Arrays.copyOf(arr, k);
            Arrays.parallelSort(arr);
            blocks[s] = arr;
            dirs[s] = directory(arr);
        }
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
        this.nearFp = Arrays.copyOf(b.nearFp, b.nearCount);
        this.nearStart = Arrays.copyOf(b.nearStart, n + 1);
        long[] nearArr = new long[nearFp.length];
        for (int row = 0; row < n; row++) {
            for (int e = nearStart[row]; e < nearStart[row + 1]; e++) {
                nearArr[e] = (mix(nearFp[e]) >>> (64 - KEY_BITS)) << ROW_BITS | row;
            }
        }
        Arrays.parallelSort(nearArr);
        this.nearBlock = nearArr;
        this.nearDir = directory(nearArr);
        b.releaseNear();
        this.meanIdNeighbours = sampleIdNeighbours();
        this.buildNanos = System.nanoTime() - startNanos;
    }

    /** 32 bits of a state-ID fingerprint, never 0 for a present ID; 0 when missing. */
    static int idTag(long fp) {
        if (fp == 0) {
            return 0;
        }
        int t = (int) fp;
        return t == 0 ? 1 : t;
    }

    /** The state-ID tag of a row (see {@link #idTag}). */
    int idTagAt(int row) {
        return cols[(row << STRIDE_SHIFT) + 6];
    }

    /** Bucket directory over the top {@code dirBits} bits of the key: entries of bucket b are [dir[b], dir[b+1]). */
    private int[] directory(long[] arr) {
        int buckets = 1 << dirBits;
        int[] dir = new int[buckets + 1];
        int shift = ROW_BITS + KEY_BITS - dirBits;
        int i = 0;
        for (int b = 0; b <= buckets; b++) {
            while (i < arr.length && (int) (arr[i] >>> shift) < b) {
                i++;
            }
            dir[b] = i;
        }
        return dir;
    }

    /** Builds an index from all records (roster ids should be unique). */
    public static RosterIndex build(Iterable<RosterRecord> records) {
        Builder b = builder();
        for (RosterRecord r : records) {
            b.add(r);
        }
        return b.build();
    }

    /** Builds an index from a stream of records (consumed sequentially; the stream need not fit in memory). */
    public static RosterIndex build(Stream<RosterRecord> records) {
        Builder b = builder();
        Iterator<RosterRecord> it = records.iterator();
        while (it.hasNext()) {
            b.add(it.next());
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of students in the index. */
    public int size() {
        return n;
    }

    /** Wall time spent in {@link Builder#build()} (sorting blocking keys etc.), not counting {@code add} calls. */
    public long buildMillis() {
        return buildNanos / 1_000_000;
    }

    int first(int row) {
        return cols[row << STRIDE_SHIFT];
    }

    int last(int row) {
        return cols[(row << STRIDE_SHIFT) + 1];
    }

    int dob(int row) {
        return cols[(row << STRIDE_SHIFT) + 2];
    }

    /** Birth date as packed decimal digits (0 = missing). */
    int dobBcd(int row) {
        return cols[(row << STRIDE_SHIFT) + 5];
    }

    int school(int row) {
        return cols[(row << STRIDE_SHIFT) + 3];
    }

    /** A row's school value (normalised), or null. */
    String schoolValue(int row) {
        int c = school(row);
        return c >= 0 ? schoolValues[c] : null;
    }

    int district(int row) {
        return cols[(row << STRIDE_SHIFT) + 4];
    }

    /** Normalised first name of a row, or null. */
    String firstName(int row) {
        int c = first(row);
        return c >= 0 ? firstDict.values[c] : null;
    }

    /** Normalised last name of a row, or null. */
    String lastName(int row) {
        int c = last(row);
        return c >= 0 ? lastDict.values[c] : null;
    }

    /** Roster id of the student at an internal row. */
    long idAt(int row) {
        return ids[row];
    }

    // ---- keys ------------------------------------------------------------------------------------------------

    private long rowKey(int scheme, int row) {
        int f = first(row);
        int l = last(row);
        return key(scheme, f >= 0 ? firstDict.ph[f] : 0, l >= 0 ? lastDict.ph[l] : 0,
                f >= 0 ? firstDict.values[f].charAt(0) : 0, l >= 0 ? lastDict.values[l].charAt(0) : 0, dob(row),
                school(row), f >= 0 ? prefix3(firstDict.values[f]) : 0, l >= 0 ? prefix3(lastDict.values[l]) : 0);
    }

    /** Blocking key of one scheme, or -1 when a component is missing (0, or negative school). */
    static long key(int scheme, long firstPh, long lastPh, int fi, int li, int dob, int school, long firstPrefix,
                    long lastPrefix) {
        switch (scheme) {
            case 0:
                return lastPh == 0 || fi == 0 || dob == 0 ? -1 : pack(0, lastPh, fi * 10000L + dob / 10000);
            case 1:
                return firstPh == 0 || dob == 0 ? -1 : pack(1, firstPh, dob);
            case 2:
                return dob == 0 || school < 0 ? -1 : pack(2, dob, school);
            case 3:
                return firstPh == 0 || lastPh == 0 ? -1 : pack(3, lastPh, firstPh);
            case 4:
                return lastPh == 0 || dob == 0 ? -1 : pack(4, lastPh, dob);
            case 5:
                return lastPh == 0 || school < 0 ? -1 : pack(5, lastPh, school);
            case 6:
                return firstPh == 0 || school < 0 ? -1 : pack(6, firstPh, school);
            case 7:
                return fi == 0 || li == 0 || school < 0 ? -1 : pack(7, fi * 65536L + li, school);
            case 8:
                return fi == 0 || li == 0 || dob == 0 ? -1 : pack(8, fi * 65536L + li, dob);
            case 9:
                return lastPrefix == 0 || fi == 0 ? -1 : pack(9, lastPrefix, fi);
            case 10:
                return firstPrefix == 0 || li == 0 ? -1 : pack(10, firstPrefix, li);
            case 11:
                return fi == 0 || school < 0 ? -1 : pack(11, fi, school);
            case 12:
                return li == 0 || school < 0 ? -1 : pack(12, li, school);
            case 13:
                return firstPh == 0 || dob == 0 ? -1 : pack(13, firstPh, dob / 10000);
            case 14:
                return li == 0 || dob == 0 ? -1 : pack(14, li, dob);
            default:
                throw new IllegalArgumentException("scheme");
        }
    }

    /** First three letters as a number (names shorter than three letters: 0, i.e. no key). */
    static long prefix3(String name) {
        if (name == null || name.length() < 3) {
            return 0;
        }
        return (name.charAt(0) << 16) | (name.charAt(1) << 8) | name.charAt(2);
    }

    private static long pack(int scheme, long a, long b) {
        long h = mix(a * 0x9E3779B97F4A7C15L + scheme * 0xC2B2AE3D27D4EB4FL);
        h = mix(h ^ (b * 0xFF51AFD7ED558CCDL + 0x165667B19E3779F9L));
        return h >>> (64 - KEY_BITS);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** 64-bit fingerprint of an opaque string (FNV-1a then mixed); 0 for null. Never 0 otherwise. */
    static long fingerprint(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h = mix(h ^ s.length());
        return h == 0 ? 1 : h;
    }

    static long phonetic(String name) {
        String code = new DoubleMetaphone().doubleMetaphone(name);
        if (code == null || code.isEmpty()) {
            code = name;
        }
        long f = fingerprint(code);
        return f == 0 ? 1 : f;
    }

    // ---- probes and candidates ----------------------------------------------------------------------------------

    /** Prepares a result row for comparison with this roster. */
    Probe probe(ResultRecord r) {
        Probe p = new Probe();
        p.first = Names.normalizeName(r.firstName());
        p.last = Names.normalizeName(r.lastName());
        p.firstCode = firstDict.code(p.first);
        p.lastCode = lastDict.code(p.last);
        p.firstPh = p.first == null ? 0 : p.firstCode >= 0 ? firstDict.ph[p.firstCode] : phonetic(p.first);
        p.lastPh = p.last == null ? 0 : p.lastCode >= 0 ? lastDict.ph[p.lastCode] : phonetic(p.last);
        p.dob = Names.dateToInt(r.birthDate());
        p.dobBcd = Comparisons.bcd(p.dob);
        p.school = placeCode(schoolDict, r.school());
        p.schoolValue = p.school == Probe.MISSING ? null : Names.normalizePlace(r.school());
        p.district = placeCode(districtDict, r.district());
        p.idFp = fingerprint(r.stateIdHash());
        p.near = p.idFp == 0 ? null : parseNear(r.stateIdNear());
        return p;
    }

    /** The entries of a {@link org.credentialhub.support.Hmac#stateIdNear} string, or null when absent or malformed. */
    static long[] parseNear(String near) {
        int w = org.credentialhub.support.Hmac.NEAR_HEX;
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

    /** The deletion neighbourhood of a row's state ID, or null when the roster did not provide it. */
    long[] nearOf(int row) {
        int from = nearStart[row];
        int to = nearStart[row + 1];
        return from == to ? null : Arrays.copyOfRange(nearFp, from, to);
    }

    /** Mean count of IDs one edit from a student's ID, over up to 2,000 students spread over the roster. */
    private double sampleIdNeighbours() {
        if (nearFp.length == 0) {
            return 0;
        }
        int step = Math.max(1, n / 2000);
        int[] out = new int[256];
        long sum = 0;
        int sampled = 0;
        for (int row = 0; row < n; row += step) {
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
        return nearFp.length > 0;
    }

    /**
     * Rows whose state ID is one edit from the ID of the neighbourhood {@code near} (one character replaced, or two
     * adjacent characters swapped; same length), other than rows whose ID fingerprint is {@code idFp}. Written to
     * {@code out} (at most its length), count returned.
     */
    int rowsOneEditAway(long[] near, long idFp, int[] out) {
        if (near == null || nearBlock.length == 0) {
            return 0;
        }
        int len = near.length;
        int k = 0;
        for (int i = 0; i < len; i++) {
            long key = mix(near[i]) >>> (64 - KEY_BITS);
            int bucket = (int) (key >>> (KEY_BITS - dirBits));
            int j = nearDir[bucket];
            int end = nearDir[bucket + 1];
            long lo = key << ROW_BITS;
            while (j < end && nearBlock[j] < lo) {
                j++;
            }
            while (j < nearBlock.length && (nearBlock[j] >>> ROW_BITS) == key) {
                int row = (int) (nearBlock[j] & ROW_MASK);
                j++;
                if (stateFp[row] == idFp || nearStart[row + 1] - nearStart[row] != len) {
                    continue;
                }
                int o = nearStart[row];
                boolean oneEdit = nearFp[o + i] == near[i]
                        || i + 1 < len && nearFp[o + i + 1] == near[i] && nearFp[o + i] == near[i + 1]
                        || i > 0 && nearFp[o + i - 1] == near[i] && nearFp[o + i] == near[i - 1];
                if (!oneEdit) {
                    continue;
                }
                boolean seen = false;
                for (int q = 0; q < k; q++) {
                    seen |= out[q] == row;
                }
                if (!seen && k < out.length) {
                    out[k++] = row;
                }
            }
        }
        return k;
    }

    private static HashMap<String, int[]> wildcards(HashMap<String, Integer> dict) {
        HashMap<String, int[]> out = new HashMap<>();
        for (Map.Entry<String, Integer> e : dict.entrySet()) {
            String v = e.getKey();
            if (v.length() < MIN_SCHOOL_EDIT_LENGTH) {
                continue;
            }
            for (int i = 0; i < v.length(); i++) {
                out.merge(wildcard(v, i), new int[] {e.getValue()}, (a, c) -> {
                    int[] r = Arrays.copyOf(a, a.length + 1);
                    r[a.length] = c[0];
                    return r;
                });
            }
        }
        return out;
    }

    /** Codes of this length and longer are compared for one typing mistake (a one-letter code is no code to mistype). */
    static final int MIN_SCHOOL_EDIT_LENGTH = 3;

    private static String wildcard(String v, int i) {
        return new StringBuilder(v.length()).append(v, 0, i).append('\u0000').append(v, i + 1, v.length()).toString();
    }

    /**
     * Roster school codes one typing mistake from a sent school value (one character changed, or two adjacent
     * characters swapped), without the sent value's own code; null when there are none. A vendor that types a school
     * code wrong (a postcode's digit, two digits swapped) still names the student's school.
     */
    int[] schoolsOneEditAway(String v, int own) {
        if (v == null || v.length() < MIN_SCHOOL_EDIT_LENGTH) {
            return null;
        }
        int[] out = null;
        int k = 0;
        for (int i = 0; i < v.length(); i++) {
            int[] codes = schoolWild.get(wildcard(v, i));
            if (codes != null) {
                for (int c : codes) {
                    if (c != own) {
                        out = addCode(out, k++, c);
                    }
                }
            }
            if (i + 1 < v.length() && v.charAt(i) != v.charAt(i + 1)) {
                char[] sw = v.toCharArray();
                sw[i] = v.charAt(i + 1);
                sw[i + 1] = v.charAt(i);
                Integer c = schoolDict.get(new String(sw));
                if (c != null && c != own) {
                    out = addCode(out, k++, c);
                }
            }
        }
        return out == null ? null : Arrays.copyOf(out, k);
    }

    private static int[] addCode(int[] out, int k, int c) {
        if (out == null) {
            out = new int[4];
        } else if (k == out.length) {
            out = Arrays.copyOf(out, k * 2);
        }
        out[k] = c;
        return out;
    }

    private static int placeCode(HashMap<String, Integer> dict, String raw) {
        String v = Names.normalizePlace(raw);
        if (v == null) {
            return Probe.MISSING;
        }
        Integer c = dict.get(v);
        return c == null ? Probe.UNKNOWN : c;
    }

    /** Rows whose state-ID fingerprint equals the probe's; appended to {@code out}, count returned. */
    int rowsWithStateId(long fp, int[] out) {
        if (fp == 0) {
            return 0;
        }
        long key = mix(fp) >>> (64 - KEY_BITS);
        long[] arr = idBlock;
        int i = lowerBound(arr, key << ROW_BITS);
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

    /**
     * Scratch buffers for candidate collection; one per thread. Rows are de-duplicated while they are collected, in an
     * open-addressing set whose slots are stamped with a generation number (so it is never cleared).
     */
    static final class Scratch {
        int[] rows = new int[256];
        int count;
        int skippedBlocks;
        final long[] perScheme = new long[SCHEMES];
        private boolean dedup;
        private int[] setRows = new int[4096];
        private int[] setGen = new int[4096];
        private int gen;

        /** Starts a new collection; with {@code dedup} every row is kept once. */
        void reset(boolean dedup) {
            count = 0;
            skippedBlocks = 0;
            this.dedup = dedup;
            if (dedup && ++gen == 0) {
                java.util.Arrays.fill(setGen, 0);
                gen = 1;
            }
        }

        /** Adds one row (de-duplicated like the others). */
        void addRow(int row) {
            long[] one = {row};
            add(one, 0, 1);
        }

        void add(long[] arr, int from, int to) {
            int len = to - from;
            if (count + len > rows.length) {
                rows = Arrays.copyOf(rows, Math.max(rows.length * 2, count + len));
            }
            if (!dedup) {
                for (int i = from; i < to; i++) {
                    rows[count++] = (int) (arr[i] & ROW_MASK);
                }
                return;
            }
            if ((count + len) * 2 > setRows.length) {
                growSet(count + len);
            }
            int mask = setRows.length - 1;
            for (int i = from; i < to; i++) {
                int row = (int) (arr[i] & ROW_MASK);
                int h = (row * 0x9E3779B1) >>> 7 & mask;
                while (true) {
                    if (setGen[h] != gen) {
                        setGen[h] = gen;
                        setRows[h] = row;
                        rows[count++] = row;
                        break;
                    }
                    if (setRows[h] == row) {
                        break;
                    }
                    h = (h + 1) & mask;
                }
            }
        }

        private void growSet(int needed) {
            int cap = setRows.length;
            while (needed * 2 > cap) {
                cap <<= 1;
            }
            setRows = new int[cap];
            setGen = new int[cap];
            gen = 1;
            int mask = cap - 1;
            for (int i = 0; i < count; i++) {
                int row = rows[i];
                int h = (row * 0x9E3779B1) >>> 7 & mask;
                while (setGen[h] == gen) {
                    h = (h + 1) & mask;
                }
                setGen[h] = gen;
                setRows[h] = row;
            }
        }
    }

    /** Collects the distinct candidate rows of a probe into {@code s.rows[0..s.count)}. */
    void candidates(Probe p, int maxBlock, Scratch s) {
        candidates(p, maxBlock, false, s);
    }

    /**
     * Candidates of a probe; with {@code nearSchools} also the surname at the schools one typing mistake from the sent
     * one (worth its lookups only where the fitted model finds a mistyped school code to be evidence of a match).
     */
    void candidates(Probe p, int maxBlock, boolean nearSchools, Scratch s) {
        s.reset(true);
        int fi = p.first == null ? 0 : p.first.charAt(0);
        int li = p.last == null ? 0 : p.last.charAt(0);
        int swappedDob = swapDayMonth(p.dob);
        long fp3 = prefix3(p.first);
        long lp3 = prefix3(p.last);
        for (int scheme = 0; scheme < SCHEMES; scheme++) {
            int cap = scheme >= FIRST_LOOSE ? Math.max(1, maxBlock / 100) : maxBlock;
            lookup(scheme, key(scheme, p.firstPh, p.lastPh, fi, li, p.dob, p.school, fp3, lp3), cap, s);
            if (swappedDob != 0 && (scheme == 1 || scheme == 2 || scheme == 4 || scheme == 8 || scheme == 14)) {
                lookup(scheme, key(scheme, p.firstPh, p.lastPh, fi, li, swappedDob, p.school, fp3, lp3), cap, s);
            }
        }
        // first and last name swapped
        lookup(3, key(3, p.lastPh, p.firstPh, li, fi, p.dob, p.school, lp3, fp3), maxBlock, s);
        lookup(7, key(7, p.lastPh, p.firstPh, li, fi, p.dob, p.school, lp3, fp3), maxBlock, s);
        lookup(8, key(8, p.lastPh, p.firstPh, li, fi, p.dob, p.school, lp3, fp3), maxBlock, s);
        int[] near = nearSchools && p.lastPh != 0 ? schoolsOneEditAway(p.schoolValue, p.school) : null;
        if (near != null) {
            // a school code typed one character wrong: the surname at the schools it may have meant
            for (int c : near) {
                lookup(5, key(5, p.firstPh, p.lastPh, fi, li, p.dob, c, fp3, lp3), maxBlock, s);
            }
        }
        if (s.count > 1) {
            Arrays.sort(s.rows, 0, s.count); // distinct already; ascending row order keeps decisions deterministic
        }
    }

    /** Candidates sharing one scheme's key with the probe (straight query only), for model training. */
    void candidatesOfScheme(Probe p, int scheme, int maxBlock, Scratch s) {
        s.reset(false);
        int fi = p.first == null ? 0 : p.first.charAt(0);
        int li = p.last == null ? 0 : p.last.charAt(0);
        lookup(scheme, key(scheme, p.firstPh, p.lastPh, fi, li, p.dob, p.school, prefix3(p.first), prefix3(p.last)),
                maxBlock, s);
    }

    private void lookup(int scheme, long key, int maxBlock, Scratch s) {
        if (key < 0) {
            return;
        }
        long[] arr = blocks[scheme];
        int[] dir = dirs[scheme];
        int bucket = (int) (key >>> (KEY_BITS - dirBits));
        int from = dir[bucket];
        int end = dir[bucket + 1];
        long lo = key << ROW_BITS;
        while (from < end && arr[from] < lo) {
            from++;
        }
        int to = from;
        while (to < arr.length && (arr[to] >>> ROW_BITS) == key) {
            to++;
            if (to - from > maxBlock) {
                s.skippedBlocks++;
                return;
            }
        }
        s.perScheme[scheme] += to - from;
        s.add(arr, from, to);
    }

    /** The date with day and month exchanged, or 0 if that is not a different valid date. */
    static int swapDayMonth(int d) {
        if (d == 0) {
            return 0;
        }
        int y = d / 10000;
        int m = d / 100 % 100;
        int day = d % 100;
        if (m == day || day > 12) {
            return 0;
        }
        int sw = y * 10000 + day * 100 + m;
        return Comparisons.validDate(sw) ? sw : 0;
    }

    private static int lowerBound(long[] a, long v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    // ---- dictionaries and builder -------------------------------------------------------------------------------

    /** Dictionary-encoded names with counts (for term-frequency adjustment) and phonetic keys. */
    static final class NameDict {
        final HashMap<String, Integer> codes = new HashMap<>();
        List<String> valueList = new ArrayList<>();
        int[] countArr = new int[1024];
        String[] values;
        int[] counts;
        long[] ph;

        int add(String v) {
            Integer c = codes.get(v);
            if (c == null) {
                c = valueList.size();
                codes.put(v, c);
                valueList.add(v);
                if (c >= countArr.length) {
                    countArr = Arrays.copyOf(countArr, countArr.length * 2);
                }
            }
            countArr[c]++;
            return c;
        }

        int code(String v) {
            if (v == null) {
                return Probe.MISSING;
            }
            Integer c = codes.get(v);
            return c == null ? Probe.UNKNOWN : c;
        }

        NameDict freeze() {
            values = valueList.toArray(new String[0]);
            counts = Arrays.copyOf(countArr, values.length);
            ph = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                ph[i] = phonetic(values[i]);
            }
            valueList = null;
            countArr = null;
            return this;
        }

        int size() {
            return values.length;
        }
    }

    /** Accumulates roster records; {@link #build()} once. Not thread-safe. */
    public static final class Builder {
        private int n;
        private long[] ids = new long[1024];
        private long[] stateFp = new long[1024];
        private int[] first = new int[1024];
        private int[] last = new int[1024];
        private int[] dob = new int[1024];
        private int[] school = new int[1024];
        private int[] district = new int[1024];
        private final NameDict firstNames = new NameDict();
        private final NameDict lastNames = new NameDict();
        private final HashMap<String, Integer> schools = new HashMap<>();
        private final HashMap<String, Integer> districts = new HashMap<>();
        private long[] nearFp = new long[0];
        private int[] nearStart = new int[1025];
        private int nearCount;
        private boolean built;

        private Builder() {
        }

        public Builder add(RosterRecord r) {
            if (built) {
                throw new IllegalStateException("index already built");
            }
            if (n == ids.length) {
                if (n >= ROW_MASK) {
                    throw new IllegalStateException("roster too large for this index");
                }
                int cap = (int) Math.min(ROW_MASK, n * 2L);
                ids = Arrays.copyOf(ids, cap);
                stateFp = Arrays.copyOf(stateFp, cap);
                first = Arrays.copyOf(first, cap);
                last = Arrays.copyOf(last, cap);
                dob = Arrays.copyOf(dob, cap);
                school = Arrays.copyOf(school, cap);
                district = Arrays.copyOf(district, cap);
                nearStart = Arrays.copyOf(nearStart, cap + 1);
            }
            ids[n] = r.id();
            stateFp[n] = fingerprint(r.stateIdHash());
            String f = Names.normalizeName(r.firstName());
            String l = Names.normalizeName(r.lastName());
            first[n] = f == null ? Probe.MISSING : firstNames.add(f);
            last[n] = l == null ? Probe.MISSING : lastNames.add(l);
            dob[n] = Names.dateToInt(r.birthDate());
            school[n] = place(schools, r.school());
            district[n] = place(districts, r.district());
            long[] near = stateFp[n] == 0 ? null : parseNear(r.stateIdNear());
            if (near != null) {
                if (nearCount + near.length > nearFp.length) {
                    nearFp = Arrays.copyOf(nearFp, Math.max(nearFp.length * 2, nearCount + near.length + 1024));
                }
                System.arraycopy(near, 0, nearFp, nearCount, near.length);
                nearCount += near.length;
            }
            nearStart[n + 1] = nearCount;
            n++;
            return this;
        }

        private static int place(HashMap<String, Integer> dict, String raw) {
            String v = Names.normalizePlace(raw);
            if (v == null) {
                return Probe.MISSING;
            }
            return dict.computeIfAbsent(v, k -> dict.size());
        }

        private void releaseNear() {
            nearFp = null;
            nearStart = null;
        }

        private void releaseArrays() {
            ids = null;
            stateFp = null;
            first = null;
            last = null;
            dob = null;
            school = null;
            district = null;
        }

        public RosterIndex build() {
            if (built) {
                throw new IllegalStateException("index already built");
            }
            built = true;
            return new RosterIndex(this, System.nanoTime());
        }
    }
}
