package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The blocking tables' bucket directories ({@link BlockingIndex#directoryBits}): about eight entries a bucket, so
 * the directories of all schemes take a few ints a student (at 1,500,000 students they had been 126 MB of the 660 MB
 * index), and a lookup through them finds exactly the students whose key is the probe's, as a scan of every student's
 * key finds them, in every scheme, for keys of large and small blocks and for keys no student has.
 */
class BlockingDirectoryTest {
    private static final String[] FIRSTS = {"Ava", "Liam", "Maya", "Noah", "Zoe", "Omar", "Ines", "Hugo", "Lena",
        "Ezra", "Marguerite", "Tobias", "Anneliese", "Kwame", "Siobhan"};
    private static final String[] LASTS = {"Okafor", "Lindqvist", "Pemberton", "Garcia", "Whitfield", "Sudderth", "Key",
        "Nakamura", "Oyelaran", "Fitzgerald", "Abernathy", "Castellanos"};
    private static final int ROWS = 60_000;

    @Test
    void aFewDirectoryIntsAStudentAndEveryBlockFoundAsAScanFindsIt() {
        SplittableRandom r = new SplittableRandom(23);
        List<RosterRecord> roster = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            roster.add(new RosterRecord(i, null, FIRSTS[r.nextInt(FIRSTS.length)], LASTS[r.nextInt(LASTS.length)],
                    LocalDate.of(2006 + r.nextInt(4), 1 + r.nextInt(12), 1 + r.nextInt(28)), "school-" + r.nextInt(300),
                    "district-" + r.nextInt(20), null));
        }
        RosterIndex index = RosterIndex.build(roster);
        BlockingIndex blocking = index.blocking();
        long perScheme = blocking.directoryEntries() / BlockingIndex.SCHEMES;
        assertTrue(perScheme <= ROWS / 4, "directory entries a scheme: " + perScheme + " for " + ROWS + " students");

        // every student's key in every scheme, and the students of each key by a scan
        RosterIndex.Scratch s = new RosterIndex.Scratch();
        for (int scheme = 0; scheme < BlockingIndex.SCHEMES; scheme++) {
            long[] keys = new long[ROWS];
            for (int row = 0; row < ROWS; row++) {
                keys[row] = BlockingIndex.rowKey(index, scheme, row);
            }
            for (int k = 0; k < 400; k++) {
                int row = r.nextInt(ROWS);
                long key = keys[row];
                if (k % 10 == 0) {
                    key = (key ^ (1L + r.nextInt(1 << 20))) & ((1L << RosterIndex.KEY_BITS) - 1); // mostly nobody's
                }
                int[] scanned = scan(keys, key);
                s.reset(false);
                blocking.lookup(scheme, key, ROWS, s);
                int[] found = Arrays.copyOf(s.rows, s.count);
                Arrays.sort(found);
                assertArrayEquals(scanned, found, "scheme " + scheme + ", lookup " + k);
            }
        }
    }

    private static int[] scan(long[] keys, long key) {
        if (key < 0) {
            return new int[0];
        }
        return java.util.stream.IntStream.range(0, keys.length).filter(row -> keys[row] == key).toArray();
    }
}
