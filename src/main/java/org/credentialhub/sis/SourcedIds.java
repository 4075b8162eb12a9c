package org.credentialhub.sis;

/**
 * The sourcedIds of one file, kept as 64-bit hashes while it is parsed, to know cheaply that no sourcedId
 * is given twice: when no two hashes are equal, no two sourcedIds are. When two are (a repeated sourcedId,
 * or very rarely two whose hashes collide), the exact check in SQL finds and lists the lines. A few bytes
 * per row instead of a pass over the whole staging table.
 */
final class SourcedIds {
    private static final long EMPTY = 0;

    private long[] slots = new long[1 << 12];
    private int size;
    private boolean repeated;

    void add(String sourcedId) {
        if (repeated) {
            return;   // the SQL check runs anyway
        }
        if (2 * (size + 1) > slots.length) {
            grow();
        }
        if (!insert(slots, hash(sourcedId))) {
            repeated = true;
            slots = new long[0];
        } else {
            size++;
        }
    }

    /** Whether two sourcedIds may be the same (then the exact check must run). */
    boolean mayRepeat() {
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
    private static long hash(String s) {
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
