package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.credentialhub.support.Hmac;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A roster index built by a builder that knows the roster's size ({@link RosterIndex#builder(int)}): the same index as
 * one grown row by row, whether the size given is right, too small or too large, and built with much less memory
 * allocated on the way (a 1,500,000-student roster ran a 1 GB heap out while the builder's arrays grew by copies).
 */
class RosterIndexBuilderTest {
    private static final Hmac HASH = new Hmac("builder-test-key-0123".getBytes(StandardCharsets.UTF_8));
    private static final String[] FIRSTS = {"Ava", "Liam", "Maya", "Noah", "Zoe", "Omar", "Ines", "Hugo", "Lena", "Ezra"};
    private static final String[] LASTS = {"Okafor", "Lindqvist", "Pemberton", "Garcia", "Whitfield", "Sudderth", "Key"};
    private static final int ROWS = 60_000;
    private static List<RosterRecord> roster;

    @BeforeAll
    static void roster() {
        SplittableRandom r = new SplittableRandom(11);
        roster = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            String sid = String.valueOf(1_000_000_000L + r.nextInt(900_000_000));
            // a few students without a state ID (no neighbourhood)
            boolean withId = i % 50 != 7;
            roster.add(new RosterRecord(i, withId ? HASH.stateId(sid) : null, FIRSTS[r.nextInt(FIRSTS.length)],
                    LASTS[r.nextInt(LASTS.length)], LocalDate.of(2006 + r.nextInt(4), 1 + r.nextInt(12), 1 + r.nextInt(28)),
                    "school-" + r.nextInt(40), "district-" + r.nextInt(6), withId ? HASH.stateIdNear(sid) : null));
        }
    }

    private static RosterIndex build(RosterIndex.Builder b) {
        for (RosterRecord rec : roster) {
            b.add(rec);
        }
        return b.build();
    }

    @Test
    void aBuilderGivenTheRostersSizeBuildsTheSameIndexWhateverTheSizeGiven() {
        RosterIndex grown = build(RosterIndex.builder());
        for (int expected : new int[] {ROWS, ROWS / 7, ROWS * 3}) {
            RosterIndex sized = build(RosterIndex.builder(expected));
            assertEquals(grown.size(), sized.size());
            int[] a = new int[64];
            int[] b = new int[64];
            for (int row = 0; row < ROWS; row += 97) {
                RosterRecord rec = roster.get(row);
                assertArrayEquals(grown.nearOf(row), sized.nearOf(row), "neighbourhood of row " + row);
                long fp = RosterIndex.fingerprint(rec.stateIdHash());
                int na = grown.rowsWithStateId(fp, a);
                int nb = sized.rowsWithStateId(fp, b);
                assertArrayEquals(Arrays.copyOf(a, na), Arrays.copyOf(b, nb), "rows with the ID of row " + row);
                long[] near = grown.nearOf(row);
                if (near != null) {
                    na = grown.rowsOneEditAway(near, fp, a);
                    nb = sized.rowsOneEditAway(near, fp, b);
                    assertArrayEquals(Arrays.copyOf(a, na), Arrays.copyOf(b, nb), "rows one edit from row " + row);
                }
            }
        }
    }

    @Test
    void aBuilderGivenTheRostersSizeAllocatesMuchLessOnTheWay() {
        build(RosterIndex.builder());   // warm up: classes loaded, code compiled alike for both
        build(RosterIndex.builder(ROWS));
        long grown = allocated(RosterIndex::builder);
        long sized = allocated(() -> RosterIndex.builder(ROWS));
        // the columns and the neighbourhoods' array allocated once instead of doubled and trimmed by copies
        assertTrue(sized < grown * 0.8, "sized builder allocated " + (sized >> 10) + " KB, grown " + (grown >> 10) + " KB");
    }

    private static long allocated(java.util.function.Supplier<RosterIndex.Builder> builder) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        RosterIndex.Builder b = builder.get();
        for (RosterRecord rec : roster) {
            b.add(rec);
        }
        long added = threads.getThreadAllocatedBytes(id);
        b.build();
        return added - before;
    }
}
