package org.credentialhub.intake;

import org.credentialhub.store.Scratch;
import org.credentialhub.support.Sessions;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file's rows with a version before them ({@link AttemptVersions#earlier}) have their earlier identity looked up for
 * those rows only: the statement joined every identity of the hub, read into a hash for each file (604 ms for a
 * 22,325-row file in the NC year, growing with the hub's results).
 */
class EarlierVersionsPlanTest {

    @Test
    void aFilesEarlierVersionsAreLookedUpForTheRowsThatHaveThem() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            results(st, "certexam", 30000);
            st.execute("""
                    insert into result_identity (result_id, first_name, last_name, birth_date)
                        select n, 'A', 'B', date '2008-01-01' from generate_series(1, 30000) n;
                    analyze result, result_identity""");
            // a file of 20,000 rows, 100 of them attempts the hub has (corrections), the rest new
            staged(c, "case when n <= 100 then 'k' || n else 'new' || n end", 20000);
            st.execute("analyze stage_result");
            String plan = Sessions.plan(st, AttemptVersions.earlier(false).replace("?", "'certexam'"));
            assertFalse(plan.contains("Seq Scan on result_identity"), plan);
            assertEquals("100 100", Sessions.one(st, "select count(*) || ' ' || count(r_first) from ("
                    + AttemptVersions.earlier(false).replace("?", "'certexam'") + ") x"));
            c.rollback();
        }
    }
    /**
     * A small file's rows are looked up in the feed's results by index, one probe a row, even when the statistics say
     * the feed has a handful of results and it has thousands: planned on those (autovacuum analyzes a growing table
     * now and then), the feed's results were read into a hash for every file (the NC year's skills workbooks: 20 ms
     * a file of 300 rows, growing with the feed; 7.5 s of one NC year's statements).
     */
    @Test
    void aSmallFilesRowsAreLookedUpByIndexWhateverTheStatisticsSay() throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(SharedPostgres.newDatabase(), "postgres", "");
             Statement st = c.createStatement()) {
            // a fresh hub's results, which autovacuum has not analyzed yet
            results(st, "skillsxlsx", 20000);
            // a workbook of 300 rows, new attempts, its staged rows not analyzed (a small file's are not)
            staged(c, "'new' || n", 300);
            String plan = Sessions.plan(st, AttemptVersions.earlier(false).replace("?", "'skillsxlsx'"));
            assertTrue(plan.contains("Index Scan using result_feed_code_attempt_key_key on result"), plan);
            assertFalse(plan.contains("Bitmap Heap Scan on result") || plan.contains("Seq Scan on result "), plan);
            c.rollback();
        }
    }

    /**
     * A large file's versions (a few of its attempts given twice) are planned by their real size: estimated from the
     * scratch tables' pages (hundreds of rows), the lineage's statement hashed the file's staged rows to look up the
     * versions' few rows (the 1,000,000-row file: its lineage 4.2 s -> 2.1 s, psql); and its results just written by
     * their real number (estimated from the pages, the file's wide rows were hashed to join them, not their keys).
     */
    @Test
    void aLargeFilesFewVersionsArePlannedByTheirRealSize() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            results(st, "certexam", 10);
            // a file of 20,000 new attempts, the last five of them the attempts of rows 1 to 5 again
            staged(c, "'new' || case when n > 19995 then n - 19995 else n end", 20000);
            st.execute("analyze stage_result");   // as a large file's are (Intake)
            assertFalse(Intake.findRepeats(c), "no two rows of an attempt share their source row");
            AttemptVersions.compute(c, "certexam", "results.csv", 20000, true);
            assertEquals("10 5", Sessions.one(st, "select (select count(*) from stage_version) || ' ' || "
                    + "(select count(*) from stage_attempt)"));
            Scratch.ensure(c, Intake.STAGE_PUBLISHED);
            st.execute("insert into stage_published (attempt_key, result_id, version)"
                    + " select attempt_key, 100 + min(ordinal), 1 from stage_result group by attempt_key");
            Intake.analyzePublished(c, 20000);
            String plan = Sessions.plan(st, Intake.LINEAGE.replace("?", "1"));
            // the versions' ten rows hashed, and the results' keys, not the file's rows
            assertTrue(hashed(plan, "stage_version"), plan);
            assertTrue(hashed(plan, "stage_published"), plan);
            assertFalse(hashed(plan, "stage_result"), plan);
            assertEquals("20000", Sessions.one(st, "select count(*) from (" + Intake.LINEAGE.replace("?", "1") + ") x"));
            c.rollback();
        }
    }

    /** Whether the plan builds a hash table of the table's rows as they are scanned. */
    private static boolean hashed(String plan, String table) {
        return java.util.regex.Pattern.compile("Hash  \\(cost[^\n]*\n\\s*->  Seq Scan on " + table + " ")
                .matcher(plan).find();
    }

    /** Delivery 1 of {@code feed} and its results 1 to {@code n} (attempt keys k1, k2, ...). */
    private static void results(Statement st, String feed, int n) throws SQLException {
        try (PreparedStatement ps = st.getConnection().prepareStatement("""
                insert into delivery (delivery_id, feed_code, source_name, content_sha256, status)
                    values (1, ?, 'a', 'a', 'accepted')""")) {
            ps.setString(1, feed);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = st.getConnection().prepareStatement("""
                insert into result (result_id, feed_code, attempt_key, delivery_id, source_row, exam_code, school_year,
                                    attempted_on, passed)
                    select n, ?, 'k' || n, 1, n, 'E', '2024-2025', date '2025-01-01', true from generate_series(1, ?) n""")) {
            ps.setString(1, feed);
            ps.setInt(2, n);
            ps.executeUpdate();
        }
    }

    /**
     * Opens a transaction with {@code rows} rows staged as a file's ({@code stage_result}), row n's attempt key
     * {@code key} (an SQL expression of n).
     */
    private static void staged(Connection c, String key, int rows) throws SQLException {
        c.setAutoCommit(false);
        Scratch.ensure(c, Intake.STAGE_RESULT);
        try (Statement st = c.createStatement()) {
            st.execute("insert into stage_result (source_row, ordinal, attempt_key, first_name, last_name, exam_code)"
                    + " select n, n, " + key + ", 'A', 'B', 'E' from generate_series(1, " + rows + ") n");
        }
    }
}
