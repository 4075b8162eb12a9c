package org.credentialhub.exceptions;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.credentialhub.support.Sessions.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Refreshes of the queue one at a time for the results they share, side by side for different feeds: a delivery's
 * refresh does not wait for another feed's refresh still running (a large delivery's, 5-10 s of waits for every small
 * file of the NC year when the queue had one lock), while a refresh of the same feed, and one of the whole queue,
 * wait for it.
 */
class ExceptionQueueLockTest {

    @Test
    void aFeedsRefreshWaitsOnlyForRefreshesOfItsResults() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-queue-lock");
        try (org.credentialhub.store.Database db = SharedPostgres.open(dataDir, 6);
             Connection holder = db.dataSource().getConnection(); Statement hold = holder.createStatement();
             Connection look = db.dataSource().getConnection(); Statement st = look.createStatement()) {
            st.execute("""
                    insert into district (district_code, name) values ('100', 'One');
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'tradesreg', 't.csv', 'x', 'accepted'), (2, 'certexam', 'c.csv', 'y', 'accepted');
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code,
                                        credential_code, school_year, attempted_on, passed, match_decision)
                        values (1, 'tradesreg', 'k1', 1, 1, 'E', 'C', '2024-2025', date '2025-01-01', true, 'none'),
                               (2, 'certexam', 'k2', 2, 1, 'E', 'C', '2024-2025', date '2025-01-01', true, 'none');
                    insert into result_identity (result_id, district_code) values (1, '100'), (2, '100');
                    """);
            ExceptionQueue queue = new ExceptionQueue(db.dataSource());

            // tradesreg's refresh is held inside its transaction: another session holds its result's row (the
            // exception's reference to it waits), as a large delivery's refresh keeps the queue for seconds
            holder.setAutoCommit(false);
            hold.execute("select 1 from result where result_id = 1 for update");
            CompletableFuture<Integer> tradesreg = background(() -> queue.refreshFeed("tradesreg"));
            waitForLockWaits(st, 1);

            // certexam's delivery goes on beside it
            background(() -> {
                queue.refreshDelivery(2L);
                return 0;
            }).get(10, TimeUnit.SECONDS);
            assertEquals(Map.of(2, "no_match open"), ExceptionQueueScopeTest.exceptions(st));

            // another refresh of tradesreg's results, and one of the whole queue, wait for it
            CompletableFuture<Integer> again = background(() -> queue.refreshFeed("tradesreg"));
            CompletableFuture<Integer> whole = background(queue::refresh);
            waitForLockWaits(st, 3);
            assertFalse(again.isDone() || whole.isDone() || tradesreg.isDone());

            holder.rollback();
            assertEquals(1, tradesreg.get(20, TimeUnit.SECONDS));
            again.get(20, TimeUnit.SECONDS);
            whole.get(20, TimeUnit.SECONDS);
            assertEquals(Map.of(1, "no_match open", 2, "no_match open"), ExceptionQueueScopeTest.exceptions(st));
            assertEquals("0", one(st, "select count(*) from pg_locks where locktype = 'advisory'"
                    + " and database = (select oid from pg_database where datname = current_database())"));
        } finally {
            org.credentialhub.support.Fixtures.deleteTree(dataDir);
        }
    }

    private static CompletableFuture<Integer> background(Callable<Integer> refresh) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return refresh.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits (ten seconds at most) until {@code n} other sessions of this database wait for a lock. */
    private static void waitForLockWaits(Statement st, int n) throws Exception {
        String count = "";
        for (int i = 0; i < 200; i++) {
            count = one(st, "select count(*) from pg_stat_activity where datname = current_database()"
                    + " and wait_event_type = 'Lock'");
            if (Integer.parseInt(count) == n) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(count + " session(s) wait for a lock, not " + n);
    }
}
