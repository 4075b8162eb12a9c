package org.credentialhub.exceptions;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The queue brought up to date for the results changed since a time (ingest, after its re-match): those results'
 * exceptions open and close as a whole refresh would have them; the other results' are left as they were.
 */
class ExceptionQueueScopeTest {

    @Test
    void onlyTheResultsChangedSinceTheTimeGiven() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-queue");
        try (org.credentialhub.store.Database db = SharedPostgres.open(dataDir, 2);
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("""
                    insert into district (district_code, name) values ('100', 'One');
                    insert into student (student_id, state_id_hash, district_code) values (1, 'h1', '100');
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'certexam', 'f.csv', 'x', 'accepted');
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, credential_code,
                                        school_year, attempted_on, passed, student_id, match_decision, updated_at)
                        select n, 'certexam', 'k' || n, 1, n, 'E', 'C', '2024-2025', date '2025-01-01', true,
                               case when n in (1, 3) then 1 end, case when n in (1, 3) then 'match' else 'none' end,
                               now() - interval '1 hour'
                        from generate_series(1, 4) n;
                    insert into result_identity (result_id, district_code) select n, '100' from generate_series(1, 4) n;
                    """);
            ExceptionQueue queue = new ExceptionQueue(db.dataSource());
            queue.refresh();
            assertEquals(Map.of(2, "no_match open", 4, "no_match open"), exceptions(st));

            // a re-match decides 2 (now matched) and 3 (now without a match); 4 and 1 change behind the queue's back
            // an hour ago, as if a refresh had missed them: a refresh of what changed since leaves them alone
            Instant since = Instant.now().minusSeconds(1);
            st.execute("""
                    update result set student_id = 1, match_decision = 'match', updated_at = now() where result_id = 2;
                    update result set student_id = null, match_decision = 'none', updated_at = now() where result_id = 3;
                    update result set student_id = 1, match_decision = 'match' where result_id = 4;
                    update result set student_id = null, match_decision = 'none' where result_id = 1""");
            assertEquals(1, queue.refreshChangedSince(since));
            assertEquals(Map.of(2, "no_match resolved", 3, "no_match open", 4, "no_match open"), exceptions(st));

            // one feed's results: 1 is another feed's, 4 is certexam's
            st.execute("update result set feed_code = 'tradesreg' where result_id = 1");
            queue.refreshFeed("certexam");
            assertEquals(Map.of(2, "no_match resolved", 3, "no_match open", 4, "no_match resolved"), exceptions(st));

            // the whole queue catches up with the others
            queue.refresh();
            assertEquals(Map.of(1, "no_match open", 2, "no_match resolved", 3, "no_match open", 4, "no_match resolved"),
                    exceptions(st));
        } finally {
            org.credentialhub.support.Fixtures.deleteTree(dataDir);
        }
    }

    /** The queue's exceptions: result id → kind and status. */
    static Map<Integer, String> exceptions(Statement st) throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        try (ResultSet rs = st.executeQuery("select result_id, kind || ' ' || status from result_exception")) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getString(2));
            }
        }
        return out;
    }
}
