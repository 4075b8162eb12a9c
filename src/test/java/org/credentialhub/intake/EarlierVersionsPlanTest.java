package org.credentialhub.intake;

import org.credentialhub.store.Scratch;
import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
