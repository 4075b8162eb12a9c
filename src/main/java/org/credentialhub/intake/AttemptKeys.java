package org.credentialhub.intake;

import java.util.Arrays;

/**
 * Whether the attempt keys of one staged file may repeat. Most files give each attempt once; then publishing needs no
 * "last row of each attempt" (a sort of the whole file by key, spilled to disk for a large one) and there is nothing
 * to warn about. Keeps a 64-bit hash of each key (8 bytes a row) and answers after the file: equal keys have equal
 * hashes, so a file whose keys repeat is always told so; two different keys with one hash (about one file in ten
 * million at a million rows) are taken for a repeat, which costs only the sort.
 */
final class AttemptKeys {
    private long[] hashes = new long[1024];
    private int count;

    void add(String key) {
        if (count == hashes.length) {
            hashes = Arrays.copyOf(hashes, count * 2);
        }
        hashes[count++] = hash(key);
    }

    /** After the last {@link #add} (it sorts what it kept): whether two rows may have the same key. */
    boolean mayRepeat() {
        Arrays.sort(hashes, 0, count);
        for (int i = 1; i < count; i++) {
            if (hashes[i] == hashes[i - 1]) {
                return true;
            }
        }
        return false;
    }

    /** A 64-bit hash of the key's characters (a multiplicative hash, then MurmurHash3's finalizer), null as 0. */
    static long hash(String key) {
        if (key == null) {
            return 0;
        }
        long h = 0x9E3779B97F4A7C15L ^ key.length();
        for (int i = 0; i < key.length(); i++) {
            h = (h + key.charAt(i)) * 0xC6A4A7935BD1E995L;
            h ^= h >>> 47;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
