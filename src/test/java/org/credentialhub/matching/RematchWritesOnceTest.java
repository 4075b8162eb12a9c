package org.credentialhub.matching;

import org.credentialhub.store.Database;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A re-match writes each unsettled result once, with its new decision: it reopened them first, by an update of
 * each (a new row version and an entry in each of {@code result}'s indexes), and then wrote them again (the NC year's
 * 10,504 unsettled results: 1.4 s of its serial end for the first write; docs/performance.md, session 62). What it
 * takes stays as it was: a result without a match or for review whose identity is kept, and one whose decision is
 * open; not a district's decision, not a result whose identity was purged, not a revoked one.
 */
class RematchWritesOnceTest {

    /** Three students, the feed and a delivery of its results. */
    private static final String ROSTER_AND_DELIVERY = """
            insert into student (student_id, state_id_hash, first_name, last_name, birth_date, district_code)
                values (1, 'h1', 'ana', 'pena', date '2007-05-01', '100'),
                       (2, 'h2', 'luis', 'ortiz', date '2007-08-09', '100'),
                       (3, 'h3', 'mia', 'chen', date '2008-02-03', '100');
            insert into feed (feed_code, kind, layout) values ('certexam', 'sftp', 'certexam') on conflict do nothing;
            insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                values (1, 'certexam', 'f.csv', 'x', 'accepted');
            """;

    @Test
    void aRematchWritesEachUnsettledResultOnceAndNoOther(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 2)) {
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            sql(db, ROSTER_AND_DELIVERY + """
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, state_id_hash, match_decision, match_tier, student_id,
                                        status)
                        values (1, 'certexam', 'k1', 1, 1, 'E', '2024-2025', date '2025-01-01', true, 'h1', 'none', null, null, 'active'),
                               (2, 'certexam', 'k2', 1, 2, 'E', '2024-2025', date '2025-01-01', true, 'h2', 'review', null, null, 'active'),
                               (3, 'certexam', 'k3', 1, 3, 'E', '2024-2025', date '2025-01-01', true, null, null, null, null, 'active'),
                               -- a district's decision, a result whose identity was purged, a revoked one: kept
                               (4, 'certexam', 'k4', 1, 4, 'E', '2024-2025', date '2025-01-01', true, 'h1', 'match', 'district', 1, 'active'),
                               (5, 'certexam', 'k5', 1, 5, 'E', '2024-2025', date '2025-01-01', true, 'h2', 'none', null, null, 'active'),
                               (6, 'certexam', 'k6', 1, 6, 'E', '2024-2025', date '2025-01-01', true, 'h3', 'none', null, null, 'revoked');
                    insert into result_identity (result_id, first_name, last_name, birth_date)
                        values (1, 'ana', 'pena', date '2007-05-01'), (2, 'luis', 'ortiz', date '2007-08-09'),
                               (3, 'mia', 'chen', date '2008-02-03'), (4, 'ana', 'pena', date '2007-05-01'),
                               (6, 'mia', 'chen', date '2008-02-03');
                    create table result_writes (result_id bigint, decision text);
                    create function result_written() returns trigger language plpgsql as
                        $$ begin insert into result_writes values (new.result_id, coalesce(new.match_decision, 'open'));
                           return new; end $$;
                    create trigger result_written before update on result for each row execute function result_written();
                    """);

            assertEquals(2, matcher.rematchUnsettled(), "the two unsettled results (and the open one) matched again");

            Map<Long, String> writes = writes(db);
            assertEquals(Map.of(1L, "match", 2L, "match", 3L, "match"), writes,
                    "each result the re-match took written once, with its decision; no other written");
            assertEquals(Map.of(1L, 1L, 2L, 2L, 3L, 3L, 4L, 1L), students(db));
        }
    }

    /**
     * A district's decision of an unsettled result, made while a re-match runs, is not overwritten by it: the re-match's
     * read locks its results, so it waits for the decision and then finds the result decided (no longer unsettled).
     * Read without the lock, the result was the re-match's to decide from the state before, and its write replaced the
     * district's match.
     */
    @Test
    void aDistrictsDecisionMadeWhileARematchRunsStays(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 3)) {
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            sql(db, ROSTER_AND_DELIVERY + """
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, state_id_hash, match_decision)
                        values (1, 'certexam', 'k1', 1, 1, 'E', '2024-2025', date '2025-01-01', true, 'h1', 'none'),
                               (2, 'certexam', 'k2', 1, 2, 'E', '2024-2025', date '2025-01-01', true, 'h1', 'review');
                    insert into result_identity (result_id, first_name, last_name, birth_date)
                        values (1, 'ana', 'pena', date '2007-05-01'), (2, 'ana', 'pena', date '2007-05-01');
                    """);
            matcher.index();   // built before the district's transaction holds a result
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            try (Connection district = db.dataSource().getConnection()) {
                district.setAutoCommit(false);
                try (Statement st = district.createStatement()) {
                    // the district links result 2 to the other student (its own decision; not the matcher's)
                    st.executeUpdate("""
                            update result set match_decision = 'match', match_tier = 'district', student_id = 2
                            where result_id = 2""");
                }
                java.util.concurrent.Future<Integer> rematch = pool.submit(matcher::rematchUnsettled);
                org.credentialhub.support.TestHub.await("the re-match waiting for the district's decision",
                        java.time.Duration.ofSeconds(30), () -> {
                            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                                 ResultSet rs = st.executeQuery("""
                                         select count(*) from pg_locks where not granted""")) {
                                rs.next();
                                return rs.getLong(1) > 0;
                            }
                        });
                district.commit();
                assertEquals(1, rematch.get(), "the re-match took the one result still unsettled");
            } finally {
                pool.shutdownNow();
            }
            assertEquals(Map.of(1L, 1L, 2L, 2L), students(db), "the district's decision stands");
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select match_tier from result where result_id = 2")) {
                rs.next();
                assertEquals("district", rs.getString(1));
            }
        }
    }

    /** Each written result's decisions as written, joined (a result written twice shows both). */
    private static Map<Long, String> writes(Database db) throws Exception {
        Map<Long, String> out = new HashMap<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select result_id, decision from result_writes order by result_id")) {
            while (rs.next()) {
                out.merge(rs.getLong(1), rs.getString(2), (a, b) -> a + "," + b);
            }
        }
        return out;
    }

    private static Map<Long, Long> students(Database db) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select result_id, student_id from result where student_id is not null")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static void sql(Database db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
