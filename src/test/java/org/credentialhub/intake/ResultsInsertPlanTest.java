package org.credentialhub.intake;

import org.credentialhub.matching.DeliveryMatcher;
import org.credentialhub.store.Scratch;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.credentialhub.support.Sessions.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large file's results' insert hashes its decisions in the memory the hub gives a large file
 * ({@code hub.intake.large-file-work-mem}, {@link Intake#hashMemory}), in one batch, while its sort keeps the server's
 * {@code work_mem}: at the server's 4 MB the 1,000,000-row file's decisions were hashed in 16 batches, its wide staged
 * rows written to disk and read back (docs/performance.md, session 48).
 */
class ResultsInsertPlanTest {

    @Test
    void aLargeFilesDecisionsAreHashedInOneBatch() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                        values (1, 'certexam', 'a', 'a', 'accepted')""");
            c.setAutoCommit(false);
            // a file of 20,000 new attempts, matched (no student: none is needed for the plan)
            Scratch.ensure(c, Intake.STAGE_RESULT, Intake.STAGE_PUBLISHED, DeliveryMatcher.STAGE_MATCH);
            st.execute("""
                    insert into stage_result (source_row, ordinal, attempt_key, first_name, last_name, exam_code,
                                              school_year, attempted_on, passed)
                        select n, n, 'k' || n, 'A', 'B', 'E', '2024-2025', date '2025-01-01', true
                        from generate_series(1, 20000) n;
                    insert into stage_match (attempt_key, student_id, decision, tier, score)
                        select 'k' || n, null, 'none', 'probabilistic', 0.1 from generate_series(1, 20000) n;
                    analyze stage_result; analyze stage_match""");
            AttemptVersions.compute(c, "certexam", "results.csv", 20000, false);
            // the server's work_mem so small that the decisions' hash would take batches
            st.execute("set local work_mem = '64kB'");

            Savepoint before = c.setSavepoint();
            String plain = explained(c);
            c.rollback(before);
            assertTrue(batches(plain) > 1, "without the large file's memory the hash takes batches:\n" + plain);

            String multiplier = one(st, "show hash_mem_multiplier");
            String hashBefore = Intake.hashMemory(c, "16MB");
            assertEquals(multiplier, hashBefore, "the multiplier before, to be given back");
            assertEquals("256", one(st, "show hash_mem_multiplier"), "16 MB over a work_mem of 64 kB");
            String planned = explained(c);
            assertEquals(1, batches(planned), planned);
            assertTrue(planned.contains("Sort Method: external merge"), "the sort keeps the server's work_mem:\n" + planned);
            assertEquals("20000", one(st, "select count(*) from result where delivery_id = 1"));
            assertEquals("64kB", one(st, "show work_mem"));
            c.rollback();
        }
    }

    /** EXPLAIN ANALYZE of the results' insert of delivery 1 (new attempts, each its own). */
    private static String explained(Connection c) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("explain (analyze, costs off, timing off) "
                + Intake.resultsInsert(false, false))) {
            ps.setString(1, "certexam");
            ps.setLong(2, 1);
            ps.setString(3, "active");
            ps.setString(4, "active");
            ps.setString(5, "certexam");
            ps.setString(6, "certexam");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    /** The most batches any hash of the plan took. */
    private static int batches(String plan) {
        Matcher m = Pattern.compile("Batches: (\\d+)").matcher(plan);
        int most = 0;
        while (m.find()) {
            most = Math.max(most, Integer.parseInt(m.group(1)));
        }
        assertTrue(most > 0, "no hash in the plan:\n" + plan);
        return most;
    }
}
