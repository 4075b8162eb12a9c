package org.credentialhub.support;

/**
 * Whether any key of one file repeats, known cheaply while the file is read: each key is kept as a 64-bit hash, and
 * when no two hashes are equal, no two keys are. When two are (a repeated key, or very rarely two keys whose hashes
 * collide), the caller takes its exact path in SQL. A few bytes a row instead of a pass over the whole staged file.
 * Used for a OneRoster file's sourcedIds (the exact check lists the repeated lines) and a vendor file's attempt keys
 * (publishing then looks for each attempt's last row, and warns of the repeats). A null key is a key: two nulls repeat.
 */
public final class KeyRepeats {
    private static final long EMPTY = 0;
    /** The hash of a null key (a string hashing to it too only costs the exact path). */
    private static final long NULL = 0x9E3779B97F4A7C15L;

    private long[] slots = new long[1 << 12];
    private int size;
    private boolean repeated;

    public void add(String key) {
        if (repeated) {
            return;   // the exact path runs anyway
        }
        if (2 * (size + 1) > slots.length) {
            grow();
        }
        if (!insert(slots, hash(key))) {
            repeated = true;
            slots = new long[0];
        } else {
            size++;
        }
    }

    /** Whether two keys may be the same (then the exact path must run). */
    public boolean mayRepeat() {
        return repeated;
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (long h : slots) {
            if (h != EMPTY) {
                insert(bigger, h);
            }
        }
        slots = bigger;
    }

    /** Open addressing, linear probing; false if the hash is there already. */
    private static boolean insert(long[] table, long h) {
        int mask = table.length - 1;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            if (table[i] == EMPTY) {
                table[i] = h;
                return true;
            }
            if (table[i] == h) {
                return false;
            }
        }
    }

    /** FNV-1a over the characters, then a 64-bit finalizer (MurmurHash3's fmix64); never {@link #EMPTY}. */
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
        return h == EMPTY ? 1 : h;
    }
}
