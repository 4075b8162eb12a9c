package org.credentialhub.intake;

import org.credentialhub.store.Scratch;
import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file's rows with a version before them ({@link AttemptVersions#EARLIER}) have their earlier identity looked up for
 * those rows only: the statement joined every identity of the hub, read into a hash for each file (604 ms for a
 * 22,325-row file in the NC year, growing with the hub's results).
 */
class EarlierVersionsPlanTest {

    @Test
    void aFilesEarlierVersionsAreLookedUpForTheRowsThatHaveThem() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'certexam', 'a.csv', 'a', 'accepted');
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed)
                        select n, 'certexam', 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true
                        from generate_series(1, 30000) n;
                    insert into result_identity (result_id, first_name, last_name, birth_date)
                        select n, 'A', 'B', date '2008-01-01' from generate_series(1, 30000) n;
                    analyze result, result_identity""");
            c.setAutoCommit(false);
            Scratch.ensure(c, Intake.STAGE_RESULT);
            // a file of 20,000 rows, 100 of them attempts the hub has (corrections), the rest new
            st.execute("""
                    insert into stage_result (source_row, ordinal, attempt_key, first_name, last_name, exam_code)
                        select n, n, case when n <= 100 then 'k' || n else 'new' || n end, 'A', 'B', 'E'
                        from generate_series(1, 20000) n;
                    analyze stage_result""");
            String plan = Sessions.plan(st, AttemptVersions.EARLIER.replace("?", "'certexam'"));
            assertFalse(plan.contains("Seq Scan on result_identity"), plan);
            assertEquals("100 100", Sessions.one(st, "select count(*) || ' ' || count(r_first) from ("
                    + AttemptVersions.EARLIER.replace("?", "'certexam'") + ") x"));
            c.rollback();
        }
    }
    /**
     * A small file's rows are looked up in the feed's results by index, one probe a row, even when the statistics say
     * the feed has a handful of results and it has thousands: planned on those (autovacuum analyzes a growing table
     * now and then), the feed's results were read into a hash for every file (the NC year's skills workbooks: 20 ms
     * a file of 300 rows, growing with the feed; 8.5 s of the NC year's statements).
     */
    @Test
    void aSmallFilesRowsAreLookedUpByIndexWhateverTheStatisticsSay() throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(SharedPostgres.newDatabase(), "postgres", "");
             Statement st = c.createStatement()) {
            // a fresh hub's results, which autovacuum has not analyzed yet
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'skillsxlsx', 'a.xlsx', 'a', 'accepted');
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed)
                        select n, 'skillsxlsx', 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true
                        from generate_series(1, 20000) n""");
            c.setAutoCommit(false);
            Scratch.ensure(c, Intake.STAGE_RESULT);
            // a workbook of 300 rows, new attempts, its staged rows not analyzed (a small file's are not)
            st.execute("""
                    insert into stage_result (source_row, ordinal, attempt_key, first_name, last_name, exam_code)
                        select n, n, 'new' || n, 'A', 'B', 'E' from generate_series(1, 300) n""");
            String plan = Sessions.plan(st, AttemptVersions.EARLIER.replace("?", "'skillsxlsx'"));
            assertTrue(plan.contains("Index Scan using result_feed_code_attempt_key_key on result"), plan);
            assertFalse(plan.contains("Bitmap Heap Scan on result") || plan.contains("Seq Scan on result "), plan);
            c.rollback();
        }
    }
}
