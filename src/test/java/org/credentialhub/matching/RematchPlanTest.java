package org.credentialhub.matching;

import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A re-match reads the unsettled results by their own index (V87) and each one's identity by its key, however many
 * settled results the hub holds: it read every result and every identity (a hash of the unsettled results probed with
 * each identity), the NC year's 10,482 of 427,681 in 440-544 ms of its serial end, 160-210 ms so
 * (docs/performance.md, session 63).
 */
class RematchPlanTest {

    @Test
    void aRematchReadsTheUnsettledResultsAndTheirIdentitiesByIndex() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        select n, 'certexam', 'f' || n || '.csv', 'x' || n, 'accepted' from generate_series(1, 100) n;
                    -- forty thousand results matched, four hundred without a match or for review
                    insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                        attempted_on, passed, match_decision, match_tier)
                        select n, 'certexam', 'k' || n, 1 + n % 100, n, 'E', '2024-2025', date '2025-01-01', true,
                               case when n % 100 = 0 then 'none' when n % 100 = 1 then 'review' else 'match' end,
                               'probabilistic'
                        from generate_series(1, 40000) n;
                    insert into result_identity (result_id, first_name, last_name)
                        select n, 'A' || n, 'B' || n from generate_series(1, 40000) n;
                    analyze delivery, result, result_identity""");
            c.setAutoCommit(false);
            st.execute("set local random_page_cost = " + DeliveryMatcher.REMATCH_READ_PAGE_COST);
            String plan = Sessions.plan(st, DeliveryMatcher.read("true", true));
            c.rollback();
            assertTrue(plan.contains("using result_unsettled on result r"), plan);
            assertTrue(plan.contains("using result_identity_pkey on result_identity i"), plan);
            assertFalse(plan.contains("Seq Scan on result r"), plan);
            assertFalse(plan.contains("Seq Scan on result_identity"), plan);
        }
    }
}
