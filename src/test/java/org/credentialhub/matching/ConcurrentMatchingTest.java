package org.credentialhub.matching;

import org.credentialhub.exceptions.ExceptionQueue;
import org.credentialhub.store.Database;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two matchings of the same open results at once (a roster change's re-match beside a delivery's matching, or the
 * re-match started twice: a held SIS bundle's outcome sent by the console and by the timer together; two nodes)
 * end as one matching would: no unique violation, no deadlock, each result decided once with its candidates once.
 * CI saw the console's approval of a held bundle fail with a 500 this way.
 */
class ConcurrentMatchingTest {

    @Test
    void aReMatchBesideAnotherOfTheSameResultsEndsAsOneWould(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 8)) {
            sql(db, """
                    insert into feed (feed_code, kind, layout) values ('f1', 'sftp', 'certexam');
                    insert into delivery (feed_code, source_name, content_sha256, status) values ('f1', 'a.csv', 'x', 'accepted');
                    insert into district (district_code, name) values ('d1', 'District');
                    insert into school (school_code, district_code, name) values ('s1', 'd1', 'School');
                    insert into student (state_id_hash, first_name, last_name, birth_date, district_code, school_code)
                    select 'h' || g, 'ann' || translate((g % 200)::text, '0123456789', 'bcdfghjklm'),
                           'lee' || translate((g % 200)::text, '0123456789', 'bcdfghjklm'), date '2007-01-01' + g, 'd1', 's1'
                    from generate_series(1, 400) g;
                    -- results whose name two students share (for review, with candidates) or none has
                    insert into result (feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, match_decision)
                    select 'f1', 'k' || g, 1, g, 'E1', '2024-2025', date '2025-03-01', true, 'review'
                    from generate_series(1, 300) g;
                    insert into result_identity (result_id, school_code, first_name, last_name)
                    select result_id, 's1', case when result_id % 3 = 0 then 'nobody' else 'ann' || translate((result_id % 200)::text, '0123456789', 'bcdfghjklm') end,
                           'lee' || translate((result_id % 200)::text, '0123456789', 'bcdfghjklm') from result""");
            DeliveryMatcher one = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            DeliveryMatcher other = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            ExceptionQueue queue = new ExceptionQueue(db.dataSource());
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                for (int round = 0; round < 8; round++) {
                    CyclicBarrier start = new CyclicBarrier(5);
                    List<Callable<Integer>> work = List.of(
                            () -> { start.await(); one.afterRosterChange(); queue.refreshAll(); return 0; },
                            () -> { start.await(); other.afterRosterChange(); queue.refreshAll(); return 0; },
                            () -> { start.await(); one.matchDelivery("f1", 1); return 0; },
                            () -> { start.await(); return queue.refresh(); },
                            () -> { start.await(); return queue.refresh(); });
                    List<Future<Integer>> done = new ArrayList<>();
                    for (Callable<Integer> w : work) {
                        done.add(pool.submit(w));
                    }
                    for (Future<Integer> f : done) {
                        f.get();   // an SQLException (unique violation, deadlock) fails the test here
                    }
                    assertEquals(0, count(db, "select count(*) from result where match_decision is null"), "every result decided");
                    assertEquals(0, count(db, """
                            select count(*) from (select result_id, student_id from match_candidate
                                                  group by 1, 2 having count(*) > 1) d"""), "each candidate once");
                    assertEquals(300, count(db, "select count(*) from result_exception where status = 'open' and kind = 'ambiguous'"),
                            "one open exception per result for review");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void sql(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
