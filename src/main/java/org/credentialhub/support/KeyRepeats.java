package org.credentialhub.support;

import java.util.Arrays;

/**
 * Whether any key of one file repeats, known cheaply while the file is read: each key is kept as a 64-bit hash, and
 * when no two hashes are equal, no two keys are. When two are (a repeated key, or very rarely two keys whose hashes
 * collide), the caller takes its exact path in SQL. A few bytes a row instead of a pass over the whole staged file.
 * Used for a OneRoster file's sourcedIds (the exact check lists the repeated lines) and a vendor file's attempt keys
 * (publishing then looks for each attempt's last row, and warns of the repeats). A null key is a key: two nulls repeat.
 *
 * <p>The hashes are appended to one of 256 buckets by their first byte, and each bucket is put in a table of its own
 * when asked: every write while the file is read goes to the end of a bucket, and each table is a few hundred
 * kilobytes, in the processor's cache. One hash table of the
 * same hashes wrote each one at a random place of an array that grew to 128 MB for the 6,000,000 enrollments of
 * 1,500,000 students, a cache and TLB miss per key (docs/performance.md, session 36).
 */
public final class KeyRepeats {
    /** The hash of a null key (a string hashing to it too only costs the exact path). */
    private static final long NULL = 0x9E3779B97F4A7C15L;
    private static final int BUCKET_BITS = 8;

    private final long[][] buckets = new long[1 << BUCKET_BITS][];
    private final int[] sizes = new int[1 << BUCKET_BITS];
    /** Whether the keys added so far were checked ({@link #mayRepeat}). */
    private boolean checked = true;
    private boolean repeated;

    public void add(String key) {
        if (repeated) {
            return;   // the exact path runs anyway
        }
        long h = hash(key);
        int b = (int) (h >>> (64 - BUCKET_BITS));
        long[] a = buckets[b];
        int n = sizes[b];
        if (a == null) {
            a = buckets[b] = new long[16];
        } else if (n == a.length) {
            a = buckets[b] = Arrays.copyOf(a, n + (n >> 1));
        }
        a[n] = h;
        sizes[b] = n + 1;
        checked = false;
    }

    /** Whether two keys may be the same (then the exact path must run). */
    public boolean mayRepeat() {
        if (!checked && !repeated) {
            long[] table = new long[0];
            for (int b = 0; b < buckets.length && !repeated; b++) {
                int n = sizes[b];
                if (n > 1) {
                    int slots = Integer.highestOneBit(n) << 2;   // at most half full
                    if (table.length < slots) {
                        table = new long[slots];
                    } else {
                        Arrays.fill(table, 0, slots, 0);
                    }
                    repeated = !distinct(buckets[b], n, table, slots - 1);
                }
            }
            checked = true;
            if (repeated) {
                Arrays.fill(buckets, null);   // not needed any more
            }
        }
        return repeated;
    }

    /**
     * Whether a bucket's hashes are distinct: each put in a small table (a bucket's hashes share their first byte, so
     * the slot is taken from their low bits), open addressing with linear probing.
     */
    private static boolean distinct(long[] hashes, int n, long[] table, int mask) {
        for (int k = 0; k < n; k++) {
            long h = hashes[k];
            for (int i = (int) h & mask; ; i = (i + 1) & mask) {
                if (table[i] == 0) {
                    table[i] = h;
                    break;
                }
                if (table[i] == h) {
                    return false;
                }
            }
        }
        return true;
    }

    /** FNV-1a over the characters, then a 64-bit finalizer (MurmurHash3's fmix64); never 0. */
    static long hash(String s) {
        if (s == null) {
            return NULL;
        }
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
