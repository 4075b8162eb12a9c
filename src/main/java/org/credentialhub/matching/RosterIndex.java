package org.credentialhub.matching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.codec.language.DoubleMetaphone;
import org.credentialhub.support.Hmac;

/**
 * Compact in-memory index of the state roster: column arrays of primitive values, dictionary-encoded names and
 * places, state-ID fingerprints, and blocking keys packed into sorted {@code long[]} arrays (39-bit key hash and
 * 24-bit row number per entry). Immutable after {@link #build}, safe to read from many threads. Holds up to
 * 16,777,215 students; 1.5 million take about 555 MB (most of it the blocking tables and the state IDs' neighbourhoods).
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
 * The matcher looks keys 0 and 3 (read straight), the widest, up only when the students they alone would find could
 * weigh in its decision ({@link #candidatesDeferringWide}, {@link #addDeferred}).
 *
 * <p>This class holds the columns and dictionaries, builds them ({@link Builder}) and prepares result rows for
 * comparison ({@link #probe}); the lookups are delegated by job: blocking keys and candidates to {@link BlockingIndex},
 * equal state IDs and IDs one edit away to {@link StateIdIndex}, school codes one typing mistake apart to
 * {@link SchoolCodeNeighbours}.
 */
public final class RosterIndex {
    static final int ROW_BITS = 24;
    static final long ROW_MASK = (1L << ROW_BITS) - 1;
    static final int KEY_BITS = 39;
    /** Codes of this length and longer are compared for one typing mistake (read by {@link Comparisons}). */
    static final int MIN_SCHOOL_EDIT_LENGTH = SchoolCodeNeighbours.MIN_EDIT_LENGTH;

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
    /** School values by code. */
    final String[] schoolValues;
    /** School values packed for comparison ({@link Comparisons#packSchool}), by code. */
    final long[] schoolPacked;
    /** School codes one typing mistake apart (for blocking on a mistyped school code). */
    private final SchoolCodeNeighbours schoolNeighbours;
    /** The blocking keys' tables ({@link #candidates}). */
    private final BlockingIndex blocking;
    /** Equal state IDs and IDs one edit away ({@link #rowsWithStateId}, {@link #rowsOneEditAway}). */
    private final StateIdIndex stateIds;
    /**
     * Rows in an order of their contents alone (names, birth date, school and district, hashed), at most
     * {@link #SPREAD_ROWS} of them chosen by the same hash: a sample of the roster is drawn from these (the model's random
     * pairs, the ID neighbourhoods' means), so that it is the same in every hub for the same students. Drawn by place in
     * the order the students were read, it went with the hub's identity key (the loads insert students in the order of
     * their IDs' keyed hashes) and with where the rows lay on disk.
     */
    final int[] spread;
    /** The names', schools' and districts' fingerprints by code ({@link #contentHash}). */
    private final long[] firstFp;
    private final long[] lastFp;
    private final long[] schoolFp;
    private final long[] districtFp;
    /** Most rows {@link #spread} holds: a sample of a quarter of a million students is as good as the roster. */
    static final int SPREAD_ROWS = 1 << 18;
    /** Mean number of other students whose ID is one edit from a student's (sampled; 0 without neighbourhoods). */
    final double meanIdNeighbours;
    final long buildNanos;
    /**
     * The weights of the models last matched with over this roster ({@link MatchWeights#of}), by model (its identity),
     * the one used longest ago dropped beyond {@value #WEIGHTS_KEPT}: kept with the index, they go with it.
     */
    final java.util.Map<FsModel, MatchWeights> weights = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<FsModel, MatchWeights> eldest) {
                    return size() > WEIGHTS_KEPT;
                }
            });
    static final int WEIGHTS_KEPT = 16;

    private RosterIndex(Builder b, long startNanos) {
        this.n = b.n;
        // a builder sized for the roster gives its columns as they are (a copy would hold both at once)
        this.ids = b.ids.length == n ? b.ids : Arrays.copyOf(b.ids, n);
        this.stateFp = b.stateFp.length == n ? b.stateFp : Arrays.copyOf(b.stateFp, n);
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
        this.lastDict = b.lastNames.freeze().indexByPhonetic();
        this.schoolDict = b.schools;
        this.districtDict = b.districts;
        this.schoolNeighbours = new SchoolCodeNeighbours(schoolDict);
        this.schoolValues = new String[schoolDict.size()];
        for (Map.Entry<String, Integer> e : schoolDict.entrySet()) {
            schoolValues[e.getValue()] = e.getKey();
        }
        this.firstFp = fingerprints(firstDict.values);
        this.lastFp = fingerprints(lastDict.values);
        this.schoolFp = fingerprints(schoolValues);
        String[] districtValues = new String[districtDict.size()];
        for (Map.Entry<String, Integer> e : districtDict.entrySet()) {
            districtValues[e.getValue()] = e.getKey();
        }
        this.districtFp = fingerprints(districtValues);
        this.schoolPacked = new long[schoolValues.length];
        for (int c = 0; c < schoolValues.length; c++) {
            schoolPacked[c] = Comparisons.packSchool(schoolValues[c]);
        }
        int dirBits = Math.max(8, Math.min(22, 64 - Long.numberOfLeadingZeros(Math.max(1, n))));
        this.blocking = new BlockingIndex(this, BlockingIndex.directoryBits(n), schoolNeighbours);
        int nearCount = b.nearCount;
        int[] nearStart = Arrays.copyOf(b.nearStart, n + 1);
        long[] nearFp = b.takeNearFp();
        this.stateIds = new StateIdIndex(n, stateFp, nearFp, nearCount, nearStart, dirBits);
        b.releaseNear();
        this.spread = spread();
        this.meanIdNeighbours = stateIds.sampleIdNeighbours(spread);
        this.buildNanos = System.nanoTime() - startNanos;
    }

    /**
     * {@link #spread}: each row's contents hashed (never its state ID's keyed hash, nor its place), the rows whose hash
     * falls in the first {@code SPREAD_ROWS / n} of its range kept, in the order of their hashes (a tie, two students
     * alike in all of it, in the order read).
     */
    private int[] spread() {
        // kept: the hash's top 32 bits (unsigned) below this
        long below = n <= SPREAD_ROWS ? 1L << 32 : (SPREAD_ROWS * (1L << 32)) / n;
        long[] keyed = new long[Math.min(n, SPREAD_ROWS + SPREAD_ROWS / 8)];
        int kept = 0;
        for (int row = 0; row < n; row++) {
            long h = contentHash(row);
            if ((h >>> 32) < below) {
                if (kept == keyed.length) {
                    keyed = Arrays.copyOf(keyed, kept + kept / 2 + 1);
                }
                // sorted as signed numbers: any fixed order of the hashes will do
                keyed[kept++] = (h & ~ROW_MASK) | row;
            }
        }
        Arrays.sort(keyed, 0, kept);
        int[] rows = new int[kept];
        for (int i = 0; i < kept; i++) {
            rows[i] = (int) (keyed[i] & ROW_MASK);
        }
        return rows;
    }

    /**
     * A row's contents hashed: its names, birth date, school and district (never its state ID's keyed hash, nor its
     * place in the index), so the same for the same student in every hub.
     */
    long contentHash(int row) {
        long h = 0x9E3779B97F4A7C15L;
        h = mix(h ^ at(firstFp, first(row)));
        h = mix(h ^ at(lastFp, last(row)));
        h = mix(h ^ dob(row));
        h = mix(h ^ at(schoolFp, school(row)));
        return mix(h ^ at(districtFp, district(row)));
    }

    /**
     * Whether row {@code a} comes before row {@code b} in an order of their contents ({@link #contentHash}), the same in
     * every hub; two students alike in all of it in the order read.
     */
    boolean before(int a, int b) {
        long ha = contentHash(a);
        long hb = contentHash(b);
        return ha != hb ? ha < hb : a < b;
    }

    private static long[] fingerprints(String[] values) {
        long[] fp = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            fp[i] = fingerprint(values[i]);
        }
        return fp;
    }

    private static long at(long[] fp, int code) {
        return code >= 0 ? fp[code] : 0;
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

    /**
     * Copies the columns of {@code rows[from..n)} to {@code out} (8 ints per row, in the same order as in the index,
     * row {@code i}'s at {@code i << STRIDE_SHIFT}; those before {@code from} are kept, {@code out} grown as needed).
     * The candidates of a result row lie at random places in a column array far larger than the processor's caches;
     * read one by one while scoring, each waits for memory in turn. This short loop's reads do not depend on each
     * other, so the processor keeps many of them in flight, and the scoring then reads the copy.
     */
    int[] gather(int[] rows, int from, int n, int[] out) {
        if (out.length < n << STRIDE_SHIFT) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, n << STRIDE_SHIFT));
        }
        int[] c = cols;
        for (int i = from; i < n; i++) {
            int o = rows[i] << STRIDE_SHIFT;
            int j = i << STRIDE_SHIFT;
            out[j] = c[o];
            out[j + 1] = c[o + 1];
            out[j + 2] = c[o + 2];
            out[j + 3] = c[o + 3];
            out[j + 4] = c[o + 4];
            out[j + 5] = c[o + 5];
            out[j + 6] = c[o + 6];
        }
        return out;
    }

    /** Builds an index from all records (roster ids should be unique). */
    public static RosterIndex build(Iterable<RosterRecord> records) {
        Builder b = records instanceof java.util.Collection<?> all ? builder(all.size()) : builder();
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
        return new Builder(0);
    }

    /**
     * A builder for about {@code expectedRows} records (more may be added): its columns are allocated once at that size
     * instead of grown by doubling (a copy each time, both held at once, and up to twice the room), and the ID
     * neighbourhoods' array is grown to the size the rows so far foretell. A 1,500,000-student roster built at a 1 GB
     * heap ran out of memory while the builder's arrays grew.
     */
    public static Builder builder(int expectedRows) {
        return new Builder(expectedRows);
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
        return probe(r, ProbeMemo.NONE);
    }

    /**
     * Prepares a result row for comparison with this roster, taking what the row's names and places give (normalised
     * values, dictionary codes, letters, nicknames, phonetic codes) from {@code memo} where an earlier row of the same
     * thread sent the same text ({@link ProbeMemo#NONE}: all computed); the probe is the same either way.
     */
    Probe probe(ResultRecord r, ProbeMemo memo) {
        Probe p = new Probe();
        NameFacts first = memo.first(r.firstName(), this);
        NameFacts last = memo.last(r.lastName(), this);
        p.first = first.value;
        p.last = last.value;
        p.firstCode = first.code;
        p.lastCode = last.code;
        p.firstLetters = first.letters;
        p.lastLetters = last.letters;
        p.firstNick = first.nick;
        p.lastNick = last.nick;
        p.firstAsLastCode = first.otherCode;
        p.lastAsFirstCode = last.otherCode;
        p.firstPh = first.ph;
        p.lastPh = last.ph;
        p.dob = Names.dateToInt(r.birthDate());
        p.dobBcd = Comparisons.bcd(p.dob);
        PlaceFacts school = memo.school(r.school(), this);
        p.schoolValue = school.value;
        p.school = school.code;
        p.schoolPacked = school.packed;
        p.district = memo.district(r.district(), this);
        p.idFp = fingerprint(r.stateIdHash());
        p.nearText = p.idFp == 0 ? null : r.stateIdNear();
        return p;
    }

    /**
     * What a probe takes from a sent name: the name normalised ({@link Names#normalizeName}), its code in its own
     * dictionary and in the other one (names read swapped), its letters, nickname groups and phonetic code.
     */
    record NameFacts(String value, int code, int otherCode, long letters, long[] nick, long ph) {
    }

    /** What a probe takes from a sent school: the value normalised ({@link Names#normalizePlace}), its code, packed. */
    record PlaceFacts(String value, int code, long packed) {
    }

    NameFacts firstFacts(String raw) {
        return nameFacts(Names.normalizeName(raw), firstDict, lastDict);
    }

    NameFacts lastFacts(String raw) {
        return nameFacts(Names.normalizeName(raw), lastDict, firstDict);
    }

    private static NameFacts nameFacts(String v, NameDict own, NameDict other) {
        int code = own.code(v);
        return new NameFacts(v, code, other.code(v), v == null ? 0 : Comparisons.letters(v), Names.nicknameGroups(v),
                v == null ? 0 : code >= 0 ? own.ph[code] : phonetic(v));
    }

    PlaceFacts schoolFacts(String raw) {
        String v = Names.normalizePlace(raw);
        return new PlaceFacts(v, placeCode(schoolDict, v), Comparisons.packSchool(v));
    }

    int districtCode(String raw) {
        return placeCode(districtDict, Names.normalizePlace(raw));
    }


    /** The code of a normalised place ({@link Names#normalizePlace}): MISSING when null, UNKNOWN when not in the roster. */
    private static int placeCode(HashMap<String, Integer> dict, String v) {
        if (v == null) {
            return Probe.MISSING;
        }
        Integer c = dict.get(v);
        return c == null ? Probe.UNKNOWN : c;
    }

    /**
     * Scratch buffers for candidate collection; one per thread. Rows are de-duplicated while they are collected, in an
     * open-addressing set whose slots are stamped with a generation number (so it is never cleared).
     */
    static final class Scratch {
        int[] rows = new int[256];
        int count;
        int skippedBlocks;
        final long[] perScheme = new long[BlockingIndex.SCHEMES];
        private boolean dedup;
        private int[] setRows = new int[4096];
        private int[] setGen = new int[4096];
        private int gen;
        /** Queued blocking lookups (see {@link BlockingIndex#candidates}). */
        final BlockingIndex.Queries queries = new BlockingIndex.Queries();
        /** The lookups kept back for {@link #addDeferred}: their schemes and keys. */
        int deferredCount;
        final int[] deferredScheme = new int[2];
        final long[] deferredKey = new long[2];
        /**
         * Whether a student only the deferred lookups would find cannot have the sent birth date (nor it with day and
         * month swapped), and cannot be at the sent school (see {@link BlockingIndex#candidates(Probe, int, boolean,
         * Scratch, boolean)}).
         */
        boolean dobRuledOut;
        boolean schoolRuledOut;

        /** Whether lookups were kept back ({@link RosterIndex#addDeferred}). */
        boolean deferred() {
            return deferredCount > 0;
        }

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

    // ---- lookups: blocking ({@link BlockingIndex}), state IDs ({@link StateIdIndex}), schools one edit apart -------

    /** The blocking keys' tables (for tests of their footprint and lookups). */
    BlockingIndex blocking() {
        return blocking;
    }

    /** Collects the distinct candidate rows of a probe into {@code s.rows[0..s.count)}. */
    void candidates(Probe p, int maxBlock, Scratch s) {
        blocking.candidates(p, maxBlock, false, s, false);
    }

    /**
     * Candidates of a probe; with {@code nearSchools} also the surname at the schools one typing mistake from the sent
     * one (see {@link BlockingIndex#candidates(Probe, int, boolean, Scratch, boolean)}).
     */
    void candidates(Probe p, int maxBlock, boolean nearSchools, Scratch s) {
        blocking.candidates(p, maxBlock, nearSchools, s, false);
    }

    /**
     * Candidates of a probe without the widest schemes' blocks, kept back for {@link #addDeferred} (see
     * {@link BlockingIndex#candidates(Probe, int, boolean, Scratch, boolean)}).
     */
    void candidatesDeferringWide(Probe p, int maxBlock, boolean nearSchools, Scratch s) {
        blocking.candidates(p, maxBlock, nearSchools, s, true);
    }

    /** Adds the candidates {@link #candidatesDeferringWide} kept back. */
    void addDeferred(int maxBlock, Scratch s) {
        blocking.addDeferred(maxBlock, s);
    }

    /** Candidates sharing one scheme's key with the probe (straight query only), for model training. */
    void candidatesOfScheme(Probe p, int scheme, int maxBlock, Scratch s) {
        blocking.candidatesOfScheme(p, scheme, maxBlock, s);
    }

    /** Rows whose state-ID fingerprint equals the probe's; appended to {@code out}, count returned. */
    int rowsWithStateId(long fp, int[] out) {
        return stateIds.rowsWithStateId(fp, out);
    }

    /**
     * Rows whose state ID is one edit from the ID of the neighbourhood {@code near}, other than rows whose ID
     * fingerprint is {@code idFp}; see {@link StateIdIndex#rowsOneEditAway}.
     */
    int rowsOneEditAway(long[] near, long idFp, int[] out) {
        return stateIds.rowsOneEditAway(near, idFp, out);
    }

    /**
     * {@link #rowsOneEditAway(long[], long, int[])} given the rows with the ID ({@link #rowsWithStateId}'s answer,
     * {@code sameIdCount} rows of {@code sameId}); see {@link StateIdIndex#rowsOneEditAway(long[], long, int[], int, int[])}.
     */
    int rowsOneEditAway(long[] near, long idFp, int[] sameId, int sameIdCount, int[] out) {
        return stateIds.rowsOneEditAway(near, idFp, sameId, sameIdCount, out);
    }

    /** The deletion neighbourhood of a row's state ID, or null when the roster did not provide it. */
    long[] nearOf(int row) {
        return stateIds.nearOf(row);
    }

    /**
     * The deletion neighbourhood, as {@link Hmac#stateIdNear} writes it, of the state ID
     * whose keyed hash this is, when a roster student has that ID and the roster provided its neighbourhood; else
     * null. A neighbourhood depends on the ID and the key alone, so a sent ID that is a student's has the student's:
     * staging takes it from here instead of working out ten keyed hashes again (IDs are found by their fingerprint,
     * as {@link #rowsWithStateId} finds them for matching).
     */
    public String stateIdNear(String stateIdHash) {
        long fp = fingerprint(stateIdHash);
        if (fp == 0) {
            return null;
        }
        int[] rows = new int[4];
        int k = stateIds.rowsWithStateId(fp, rows);
        for (int i = 0; i < k; i++) {
            long[] near = stateIds.nearOf(rows[i]);
            if (near != null) {
                return StateIdIndex.formatNear(near);
            }
        }
        return null;
    }

    /** Whether any student's ID neighbourhood is indexed (else IDs one edit away cannot be found). */
    boolean hasNear() {
        return stateIds.hasNear();
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
        /**
         * Per value: its letters ({@link Comparisons#letters}), its length and its nickname groups
         * ({@link Names#nicknameGroups}).
         */
        long[] letters;
        int[] lengths;
        long[][] nick;
        /**
         * The codes sorted by phonetic code ({@link #withPhonetic}), and their phonetic codes in that order; only for
         * the surnames ({@link #indexByPhonetic}), null otherwise.
         */
        int[] byPh;
        long[] phSorted;

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
            letters = new long[values.length];
            lengths = new int[values.length];
            nick = new long[values.length][];
            for (int i = 0; i < values.length; i++) {
                ph[i] = phonetic(values[i]);
                letters[i] = Comparisons.letters(values[i]);
                lengths[i] = values[i].length();
                nick[i] = Names.nicknameGroups(values[i]);
            }
            valueList = null;
            countArr = null;
            return this;
        }

        /** Sorts the codes by phonetic code for {@link #withPhonetic} (the surnames of a sound, MatchWeights#deferredBound). */
        NameDict indexByPhonetic() {
            Integer[] order = new Integer[values.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(ph[a], ph[b]));
            byPh = new int[order.length];
            phSorted = new long[order.length];
            for (int i = 0; i < order.length; i++) {
                byPh[i] = order[i];
                phSorted[i] = ph[order[i]];
            }
            return this;
        }

        /**
         * The range of {@link #byPh} holding the codes of the names whose phonetic code is {@code code}:
         * {@code from << 32 | to}.
         */
        long withPhonetic(long code) {
            return (long) bound(code, false) << 32 | bound(code, true);
        }

        /** The first position whose phonetic code is not below {@code code} (with {@code after}: above it). */
        private int bound(long code, boolean after) {
            int lo = 0;
            int hi = phSorted.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (phSorted[mid] < code || after && phSorted[mid] == code) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        int size() {
            return values.length;
        }
    }

    /** Accumulates roster records; {@link #build()} once. Not thread-safe. */
    public static final class Builder {
        private int n;
        private final int expected;
        private long[] ids;
        private long[] stateFp;
        private int[] first;
        private int[] last;
        private int[] dob;
        private int[] school;
        private int[] district;
        private final NameDict firstNames = new NameDict();
        private final NameDict lastNames = new NameDict();
        private final HashMap<String, Integer> schools = new HashMap<>();
        private final HashMap<String, Integer> districts = new HashMap<>();
        private long[] nearFp = new long[0];
        private int[] nearStart;
        private int nearCount;
        private boolean built;

        private Builder(int expectedRows) {
            this.expected = (int) Math.max(0, Math.min(expectedRows, ROW_MASK));
            int cap = expected > 0 ? expected : 1024;
            ids = new long[cap];
            stateFp = new long[cap];
            first = new int[cap];
            last = new int[cap];
            dob = new int[cap];
            school = new int[cap];
            district = new int[cap];
            nearStart = new int[cap + 1];
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
            long[] near = stateFp[n] == 0 ? null : StateIdIndex.parseNear(r.stateIdNear());
            if (near != null) {
                if (nearCount + near.length > nearFp.length) {
                    nearFp = Arrays.copyOf(nearFp, nearCapacity(near.length));
                }
                System.arraycopy(near, 0, nearFp, nearCount, near.length);
                nearCount += near.length;
            }
            nearStart[n + 1] = nearCount;
            n++;
            return this;
        }

        /**
         * The neighbourhood array's next size: for a builder that knows the roster's size, what the rows so far foretell
         * for all of them (a few per cent more), else twice the size.
         */
        private int nearCapacity(int adding) {
            long needed = (long) nearCount + adding;
            long next = nearFp.length * 2L;
            if (expected > n && n >= 1024) {
                long foretold = (long) Math.ceil((double) nearCount / n * expected * 1.02) + adding;
                next = Math.max(foretold, nearFp.length + (nearFp.length >> 3));
            }
            return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed + 1024, next));
        }

        private static int place(HashMap<String, Integer> dict, String raw) {
            String v = Names.normalizePlace(raw);
            if (v == null) {
                return Probe.MISSING;
            }
            return dict.computeIfAbsent(v, k -> dict.size());
        }

        /**
         * The neighbourhood entries, released by the builder: trimmed to their count when much of the array is unused
         * (grown by doubling, up to twice the size; the copy is garbage before the index sorts its table, which needs as
         * much again), else as they are (a builder that knew the roster's size).
         */
        private long[] takeNearFp() {
            long[] a = StateIdIndex.trimmed(nearFp, nearCount);
            nearFp = null;
            return a;
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
