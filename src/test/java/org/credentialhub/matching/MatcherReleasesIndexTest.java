package org.credentialhub.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.WeakReference;
import java.util.List;
import org.credentialhub.support.Collected;
import org.junit.jupiter.api.Test;

/**
 * Once a matcher and its roster index are dropped, nothing the matcher left on the threads it matched on keeps the
 * index: a running hub builds a new index for each roster version, and a batch is matched on the common pool's threads,
 * which outlive it and keep each matcher's per-thread scratch until the thread next touches a thread-local. A scratch
 * that reached the index (a probe kept for the next row, holding the weights it was bounded with) kept a whole roster
 * (555 MB for 1.5 million students): the full bench's scale-5 ingest then ran out of heap after matching's bench.
 */
class MatcherReleasesIndexTest {

    @Test
    void aDroppedMatchersIndexIsCollected() throws Exception {
        WeakReference<RosterIndex> index = matchABatchOnThePool();
        Collected.assertCollected(index, "the roster index is still reachable after its matcher was dropped");
    }

    /** Matches a batch large enough for the common pool, and returns the index, weakly. */
    private static WeakReference<RosterIndex> matchABatchOnThePool() throws Exception {
        SyntheticRoster roster = SyntheticRoster.of(3);
        Matcher matcher = new Matcher(roster.index(), roster.model(), MatchSettings.defaults(), null);
        List<ResultRecord> batch = roster.sent();
        List<Decision> decisions = matcher.matchBatch(batch);
        assertEquals(batch.size(), decisions.size());
        return new WeakReference<>(roster.index());
    }
}
