package org.credentialhub.guards;

import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delivery's match rates place each of its rows in a district by index look-ups, however many rows the planner
 * expects of the delivery and however small the district and school tables are. As joins, the district and school
 * sent were planned by the rows the statistics give a delivery they do not know: in the NC year a 21,873-row delivery
 * taken for 529 compared each row with every school (a join filter removing 7,261,836 rows, 948 ms); as subqueries
 * read whole (a few pages, cheaper by the planner's costs), 20 µs a row against 1 by index (a 1,000,000-row file's
 * match rates 30 s longer).
 */
class MatchRatesPlanTest {

    @Test
    void aDeliverysRowsArePlacedByIndexWhateverItsExpectedSize() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into district (district_code, name) select d::text, 'D' || d from generate_series(100, 119) d;
                    insert into school (school_code, district_code, name)
                        select s::text, (100 + s % 20)::text, 'School ' || s from generate_series(1000, 1099) s;
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        select n, 'certexam', 'f' || n || '.csv', 'x' || n, 'accepted' from generate_series(1, 101) n;
                    -- a hundred deliveries of 500 results, ten of them in the statistics (a state's hundreds of
                    -- deliveries are more than its statistics list): a delivery they do not know is taken for 500
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed)
                        select n, 'certexam', 'k' || n, 1 + n % 100, n, 'E', '2024-2025', date '2025-01-01', true
                        from generate_series(1, 50000) n;
                    insert into result_identity (result_id, school_code) select n, (1000 + n % 100)::text
                        from generate_series(1, 50000) n;
                    alter table result alter column delivery_id set statistics 10;
                    analyze district, school, result, result_identity;
                    -- a large delivery after the statistics were taken
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed)
                        select n, 'certexam', 'k' || n, 101, n, 'E', '2024-2025', date '2025-01-01', true
                        from generate_series(50001, 70000) n;
                    insert into result_identity (result_id, school_code) select n, (1000 + n % 100)::text
                        from generate_series(50001, 70000) n""");
            c.setAutoCommit(false);
            st.execute(MatchRates.BY_INDEX);
            String plan = Sessions.plan(st, MatchRates.RATES.replaceFirst("\\?", "101")
                    .replaceFirst("\\?", "'certexam'").replaceFirst("\\?", "101"));
            c.rollback();
            assertFalse(plan.contains("Seq Scan on school"), plan);
            assertFalse(plan.contains("Seq Scan on district"), plan);
            assertFalse(plan.contains("Join Filter"), plan);
            assertTrue(plan.contains("using school_pkey on school"), plan);
        }
    }
}
