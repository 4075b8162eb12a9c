package org.credentialhub.matching;

import org.credentialhub.store.Database;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A re-match of unsettled results that stops half-way (the crash drill's SIGKILL during {@code ingest}'s re-match;
 * here a fault in writing its decisions) leaves the results as they were, so the next re-match takes them again. It
 * reopened them in a transaction of its own before matching them: a stop in between left them undecided
 * ({@code match_decision} null), which no later re-match took (it reopens 'none' and 'review' only) and no delivery
 * recovery either (their deliveries were processed).
 */
class RematchInterruptedTest {

    @Test
    void aRematchThatFailsLeavesTheResultsToTheNextOne(@TempDir Path tmp) throws Exception {
        try (Database db = SharedPostgres.open(tmp, 2)) {
            DeliveryMatcher matcher = new DeliveryMatcher(db.dataSource(), MatchSettings.defaults());
            sql(db, """
                    insert into student (student_id, state_id_hash, first_name, last_name, birth_date, district_code)
                        values (1, 'h1', 'ana', 'pena', date '2007-05-01', '100');
                    insert into feed (feed_code, kind, layout) values ('certexam', 'sftp', 'certexam')
                        on conflict do nothing;
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'certexam', 'f.csv', 'x', 'accepted');
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, state_id_hash, match_decision)
                        values (1, 'certexam', 'k1', 1, 1, 'E', '2024-2025', date '2025-01-01', true, 'h1', 'none');
                    insert into result_identity (result_id, first_name, last_name, birth_date)
                        values (1, 'ana', 'pena', date '2007-05-01');
                    create function no_decision() returns trigger language plpgsql as
                        $$ begin raise exception 'the drill''s fault: no decision written'; end $$;
                    create trigger no_decision before update of match_decision on result for each row
                        when (new.match_decision is not null) execute function no_decision();
                    """);
            assertThrows(SQLException.class, matcher::rematchUnsettled);
            assertEquals("none", decision(db), "a re-match that failed changed nothing");

            sql(db, "drop trigger no_decision on result");
            assertEquals(1, matcher.rematchUnsettled());
            assertEquals("match", decision(db), "the next re-match took the result again");
        }
    }

    private static String decision(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select coalesce(match_decision, 'undecided') from result where result_id = 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void sql(Database db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
