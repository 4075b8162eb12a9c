package org.credentialhub.matching;

import static org.credentialhub.matching.RosterIndex.KEY_BITS;
import static org.credentialhub.matching.RosterIndex.ROW_BITS;
import static org.credentialhub.matching.RosterIndex.mix;

import java.util.Arrays;
import org.credentialhub.matching.RosterIndex.Scratch;

/**
 * Blocking: the keys of the schemes listed in {@link RosterIndex} and their sorted tables, and the lookup of a result
 * row's candidates (the roster rows that share a key with it). Each table packs a 39-bit key hash and a 24-bit row
 * number per entry, sorted, with a bucket directory over the top bits of the hash. Immutable.
 */
final class BlockingIndex {
    static final int SCHEMES = 15;
    /** Schemes from this one on are loose: used only where their block is small (a hundredth of the limit). */
    static final int FIRST_LOOSE = 9;

    private final long[][] blocks;
    private final int[][] dirs;
    private final int dirBits;
    private final SchoolCodeNeighbours schools;

    /** Builds the tables of all schemes over the index's columns (read only; its dictionaries must be frozen). */
    BlockingIndex(RosterIndex ix, int dirBits, SchoolCodeNeighbours schools) {
        int n = ix.size();
        this.dirBits = dirBits;
        this.schools = schools;
        this.blocks = new long[SCHEMES][];
        this.dirs = new int[SCHEMES][];
        for (int s = 0; s < SCHEMES; s++) {
            long[] arr = new long[n];
            int k = 0;
            for (int row = 0; row < n; row++) {
                long key = rowKey(ix, s, row);
                if (key >= 0) {
                    arr[k++] = (key << ROW_BITS) | row;
                }
            }
            arr = Arrays.copyOf(arr, k);
            Arrays.parallelSort(arr);
            blocks[s] = arr;
            dirs[s] = directory(arr, dirBits);
        }
    }

    /**
     * The bits of a scheme's bucket directory for a roster of {@code n} students: about {@value #BUCKET_ENTRIES} table
     * entries a bucket (at least 256 buckets). A lookup reads its bucket's bounds and passes over the entries of
     * smaller keys in it, which lie in the cache lines it reads anyway. A directory of a bucket or two a student, as the
     * state-ID tables have, took 8 MB a scheme at 1,500,000 students, 126 MB of the 660 MB index, for lookups no
     * faster (docs/performance.md, session 45).
     */
    static int directoryBits(int n) {
        return Math.max(8, 64 - Long.numberOfLeadingZeros(Math.max(1, n / BUCKET_ENTRIES)));
    }

    /** The table entries a directory bucket holds on average, about ({@link #directoryBits}). */
    static final int BUCKET_ENTRIES = 8;

    /** The entries of the directories of all schemes (for the index's footprint). */
    long directoryEntries() {
        long sum = 0;
        for (int[] dir : dirs) {
            sum += dir.length;
        }
        return sum;
    }

    /** Bucket directory over the top {@code dirBits} bits of the key: entries of bucket b are [dir[b], dir[b+1]). */
    static int[] directory(long[] arr, int dirBits) {
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

    static long rowKey(RosterIndex ix, int scheme, int row) {
        int f = ix.first(row);
        int l = ix.last(row);
        RosterIndex.NameDict firstDict = ix.firstDict;
        RosterIndex.NameDict lastDict = ix.lastDict;
        return key(scheme, f >= 0 ? firstDict.ph[f] : 0, l >= 0 ? lastDict.ph[l] : 0,
                f >= 0 ? firstDict.values[f].charAt(0) : 0, l >= 0 ? lastDict.values[l].charAt(0) : 0, ix.dob(row),
                ix.school(row), f >= 0 ? prefix3(firstDict.values[f]) : 0, l >= 0 ? prefix3(lastDict.values[l]) : 0);
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

    /** The schemes whose blocks are widest (a common surname's students of a birth year or with a first name alike). */
    static final int WIDE_YEAR = 0;
    static final int WIDE_NAMES = 3;
    /** The schemes that find, among the students of the sent surname's sound, those with the sent birth date or school. */
    private static final int SURNAME_DOB = 4;
    private static final int SURNAME_SCHOOL = 5;

    /**
     * Collects the distinct candidate rows of a probe into {@code s.rows[0..s.count)}, in the order the lookups find
     * them (the matcher's decisions do not depend on it: ties go to the lower row); with
     * {@code nearSchools} also the surname at the schools one typing mistake from the sent one (worth its lookups only
     * where the fitted model finds a mistyped school code to be evidence of a match).
     *
     * <p>With {@code deferWide} the two widest schemes, surname + first initial + birth year ({@value #WIDE_YEAR}) and
     * surname + first name ({@value #WIDE_NAMES}), read straight, are kept for {@link #addDeferred} instead of looked
     * up; the scratch then tells what the students only they would find must disagree on ({@link Scratch#dobRuledOut},
     * {@link Scratch#schoolRuledOut}): each shares the sent surname's phonetic code, so one with the sent birth date
     * (or its day and month swapped) or school would have been found by surname + birth date or surname + school,
     * when those blocks were looked up and not skipped as too large.
     */
    void candidates(Probe p, int maxBlock, boolean nearSchools, Scratch s, boolean deferWide) {
        s.reset(true);
        Queries q = s.queries;
        q.count = 0;
        s.deferredCount = 0;
        int fi = p.first == null ? 0 : p.first.charAt(0);
        int li = p.last == null ? 0 : p.last.charAt(0);
        int swappedDob = swapDayMonth(p.dob);
        long fp3 = prefix3(p.first);
        long lp3 = prefix3(p.last);
        int byDob = -1;
        int bySwappedDob = -1;
        int bySchool = -1;
        for (int scheme = 0; scheme < SCHEMES; scheme++) {
            int cap = scheme >= FIRST_LOOSE ? Math.max(1, maxBlock / 100) : maxBlock;
            long key = key(scheme, p.firstPh, p.lastPh, fi, li, p.dob, p.school, fp3, lp3);
            if (deferWide && (scheme == WIDE_YEAR || scheme == WIDE_NAMES)) {
                if (key >= 0) {
                    s.deferredScheme[s.deferredCount] = scheme;
                    s.deferredKey[s.deferredCount++] = key;
                }
            } else {
                if (scheme == SURNAME_DOB) {
                    byDob = q.count;
                } else if (scheme == SURNAME_SCHOOL) {
                    bySchool = q.count;
                }
                q.add(scheme, key, cap);
            }
            if (swappedDob != 0 && (scheme == 1 || scheme == 2 || scheme == 4 || scheme == 8 || scheme == 14)) {
                if (scheme == SURNAME_DOB) {
                    bySwappedDob = q.count;
                }
                q.add(scheme, key(scheme, p.firstPh, p.lastPh, fi, li, swappedDob, p.school, fp3, lp3), cap);
            }
        }
        // first and last name swapped
        q.add(3, key(3, p.lastPh, p.firstPh, li, fi, p.dob, p.school, lp3, fp3), maxBlock);
        q.add(7, key(7, p.lastPh, p.firstPh, li, fi, p.dob, p.school, lp3, fp3), maxBlock);
        q.add(8, key(8, p.lastPh, p.firstPh, li, fi, p.dob, p.school, lp3, fp3), maxBlock);
        int[] near = nearSchools && p.lastPh != 0 ? schools.schoolsOneEditAway(p.schoolValue, p.school) : null;
        if (near != null) {
            // a school code typed one character wrong: the surname at the schools it may have meant
            for (int c : near) {
                q.add(5, key(5, p.firstPh, p.lastPh, fi, li, p.dob, c, fp3, lp3), maxBlock);
            }
        }
        lookupAll(s);
        s.dobRuledOut = resolved(q, byDob) && (swappedDob == 0 || resolved(q, bySwappedDob));
        s.schoolRuledOut = resolved(q, bySchool);
    }

    /** Whether query {@code i} was looked up and its block taken (not a missing component, nor skipped as too large). */
    private static boolean resolved(Queries q, int i) {
        return i >= 0 && q.key[i] >= 0 && q.from[i] >= 0;
    }

    /**
     * Adds the rows of the schemes {@link #candidates(Probe, int, boolean, Scratch, boolean) candidates} deferred to
     * the scratch's rows (each row still once), as a lookup of every scheme would have found them.
     */
    void addDeferred(int maxBlock, Scratch s) {
        Queries q = s.queries;
        q.count = 0;
        for (int i = 0; i < s.deferredCount; i++) {
            q.add(s.deferredScheme[i], s.deferredKey[i], maxBlock);
        }
        s.deferredCount = 0;
        lookupAll(s);
    }

    /**
     * Looks up all queued keys ({@link Scratch#query}) and adds their blocks' rows. Each key costs a read of its
     * bucket's bounds in the directory and one of the table, both at random places in arrays far larger than the
     * processor's caches; done key by key these reads wait for memory one after another. Here each step is done for
     * all keys before the next, in short loops whose reads do not depend on each other, so that the processor has
     * them all in flight at once. The blocks found, their order and the skipped ones are those of a lookup key by key.
     */
    private void lookupAll(Scratch s) {
        Queries qs = s.queries;
        int q = qs.count;
        long[] keys = qs.key;
        int[] scheme = qs.scheme;
        int[] from = qs.from;
        int[] end = qs.end;
        int shift = KEY_BITS - dirBits;
        for (int i = 0; i < q; i++) {
            long key = keys[i];
            if (key >= 0) {
                int[] dir = dirs[scheme[i]];
                int bucket = (int) (key >>> shift);
                from[i] = dir[bucket];
                end[i] = dir[bucket + 1];
            }
        }
        long[] first = qs.first;
        for (int i = 0; i < q; i++) {
            // the bucket's first entry (its cache line usually holds the whole block)
            first[i] = keys[i] >= 0 && from[i] < end[i] ? blocks[scheme[i]][from[i]] : 0;
        }
        for (int i = 0; i < q; i++) {
            if (keys[i] >= 0) {
                rangeOf(scheme[i], keys[i], from[i], end[i], qs.cap[i], s, i);
            }
        }
        for (int i = 0; i < q; i++) {
            if (keys[i] >= 0 && from[i] >= 0) {
                s.perScheme[scheme[i]] += end[i] - from[i];
                s.add(blocks[scheme[i]], from[i], end[i]);
            }
        }
    }

    /**
     * The block of one key within its bucket [from, end): written to the query's bounds ({@link Queries#from},
     * {@link Queries#end}), or -1 in its {@code from} when it holds more than {@code maxBlock} rows (counted as skipped).
     */
    private void rangeOf(int scheme, long key, int from, int end, int maxBlock, Scratch s, int i) {
        long block = block(blocks[scheme], key, from, end, maxBlock);
        if (block < 0) {
            s.skippedBlocks++;
            s.queries.from[i] = -1;
            return;
        }
        s.queries.from[i] = (int) (block >>> 32);
        s.queries.end[i] = (int) block;
    }

    /**
     * The rows of one key in a scheme's sorted array, searched from its bucket [from, end): {@code from << 32 | to},
     * or -1 when the block holds more than {@code maxBlock} rows.
     */
    private static long block(long[] arr, long key, int from, int end, int maxBlock) {
        long lo = key << ROW_BITS;
        while (from < end && arr[from] < lo) {
            from++;
        }
        int to = from;
        while (to < arr.length && (arr[to] >>> ROW_BITS) == key) {
            to++;
            if (to - from > maxBlock) {
                return -1;
            }
        }
        return ((long) from << 32) | to;
    }

    /** Candidates sharing one scheme's key with the probe (straight query only), for model training. */
    void candidatesOfScheme(Probe p, int scheme, int maxBlock, Scratch s) {
        s.reset(false);
        int fi = p.first == null ? 0 : p.first.charAt(0);
        int li = p.last == null ? 0 : p.last.charAt(0);
        lookup(scheme, key(scheme, p.firstPh, p.lastPh, fi, li, p.dob, p.school, prefix3(p.first), prefix3(p.last)),
                maxBlock, s);
    }

    /** Adds the rows of one scheme's key to the scratch (none when its block holds more than {@code maxBlock}). */
    void lookup(int scheme, long key, int maxBlock, Scratch s) {
        if (key < 0) {
            return;
        }
        long[] arr = blocks[scheme];
        int[] dir = dirs[scheme];
        int bucket = (int) (key >>> (KEY_BITS - dirBits));
        long block = block(arr, key, dir[bucket], dir[bucket + 1], maxBlock);
        if (block < 0) {
            s.skippedBlocks++;
            return;
        }
        int from = (int) (block >>> 32);
        int to = (int) block;
        s.perScheme[scheme] += to - from;
        s.add(arr, from, to);
    }

    /** A row's queued lookups (one per thread, in {@link Scratch}): scheme, key, block limit, and bounds found. */
    static final class Queries {
        int count;
        int[] scheme = new int[32];
        long[] key = new long[32];
        int[] cap = new int[32];
        int[] from = new int[32];
        int[] end = new int[32];
        long[] first = new long[32];

        /** Queues one lookup (a negative key: a component is missing, nothing to look up). */
        void add(int s, long k, int c) {
            if (count == key.length) {
                int n = count * 2;
                scheme = Arrays.copyOf(scheme, n);
                key = Arrays.copyOf(key, n);
                cap = Arrays.copyOf(cap, n);
                from = Arrays.copyOf(from, n);
                end = Arrays.copyOf(end, n);
                first = Arrays.copyOf(first, n);
            }
            scheme[count] = s;
            key[count] = k;
            cap[count] = c;
            count++;
        }
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
}
