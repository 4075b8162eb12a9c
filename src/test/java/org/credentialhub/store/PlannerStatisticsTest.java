package org.credentialhub.store;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlannerStatisticsTest {

    @Test
    void theShareOfATablesCountedRowsDecides() {
        assertTrue(PlannerStatistics.stale(5_000, -1), "never analyzed");
        assertTrue(PlannerStatistics.stale(5_000, 0), "analyzed empty");
        assertTrue(PlannerStatistics.stale(10_000, 100_000));
        assertFalse(PlannerStatistics.stale(9_999, 100_000));
    }

    @Test
    void aTableIsAnalyzedWhenItNeverWasOrTheRowsAddedAreATenthOfIt() throws Exception {
        try (Connection c = SharedPostgres.connect()) {
            exec(c, "create table big (n int) with (autovacuum_enabled = off); create table small (n int) with (autovacuum_enabled = off)");
            exec(c, "insert into big select generate_series(1, 20000); insert into small select generate_series(1, 2000)");
            c.setAutoCommit(false);
            assertEquals(List.of("big", "small"), PlannerStatistics.analyzeIfStale(c, 2_000, "big", "small"),
                    "never analyzed");
            c.commit();
            assertEquals(20_000, counted(c, "big"));
            assertEquals(2_000, counted(c, "small"));

            // a transaction adds 1,500 rows to each: a small share of big, most of small
            exec(c, "insert into big select generate_series(1, 1500); insert into small select generate_series(1, 1500)");
            assertEquals(List.of("small"), PlannerStatistics.analyzeIfStale(c, 1_500, "big", "small"));
            assertEquals(20_000, counted(c, "big"), "big keeps its statistics");
            assertEquals(3_500, counted(c, "small"), "small's count has the transaction's own rows");
            c.commit();

            exec(c, "insert into big select generate_series(1, 2500)");
            assertEquals(List.of("big"), PlannerStatistics.analyzeIfStale(c, 2_500, "big"));
            assertEquals(24_000, counted(c, "big"));
            c.commit();
        }
    }

    @Test
    void aTableGivenWithColumnsIsCountedAgainAndOnlyThoseColumnsAnalyzedOnceItHasStatistics() throws Exception {
        try (Connection c = SharedPostgres.connect()) {
            exec(c, "create table wide (k int, a text, b text) with (autovacuum_enabled = off)");
            exec(c, "insert into wide select g, 'a' || g % 10, 'b' || g % 7 from generate_series(1, 4000) g");
            c.setAutoCommit(false);
            // never analyzed: whole, so that no column is left without statistics
            assertEquals(List.of("wide"), PlannerStatistics.analyzeIfStale(c, 4_000, "wide (k)"));
            c.commit();
            assertEquals(List.of("a", "b", "k"), analyzedColumns(c, "wide"));
            long bStatsBefore = distinct(c, "wide", "b");

            // b changes and rows are added: only k is analyzed again, b keeps what it had; the count is the new one
            exec(c, "update wide set b = 'same'; insert into wide select g, 'x', 'y' from generate_series(1, 2000) g");
            assertEquals(List.of("wide (k)"), PlannerStatistics.analyzeIfStale(c, 2_000, "wide (k)"));
            assertEquals(6_000, counted(c, "wide"), "the count has the transaction's own rows");
            assertEquals(bStatsBefore, distinct(c, "wide", "b"), "b keeps its statistics");
            c.commit();
        }
    }

    /**
     * Rows a transaction added are analyzed for with a sample of {@link PlannerStatistics#ADDED_TARGET} units (9,000
     * rows), not the server's 30,000: a delivery that is a tenth of the table or more is among the values its column's
     * statistics keep, at about its share, and the server's target is the transaction's again afterwards.
     */
    @Test
    void rowsAddedAreAnalyzedForFromASmallerSampleThatStillShowsThem() throws Exception {
        String url = databaseWith("results");
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            // 300 deliveries of 1,000 rows, each row with a value of its own, analyzed at the server's target
            change(url, "alter table results add column v int; insert into results select g / 1000, g "
                    + "from generate_series(0, 299999) g; analyze results");
            assertEquals(101, histogramBounds(c, "v"), "the server's target: 100 ranges");
            c.setAutoCommit(false);
            // a delivery of 40,000 rows (about an eighth of the table after it)
            exec(c, "insert into results select 1000, g from generate_series(300000, 339999) g");
            assertEquals(List.of("results"), PlannerStatistics.analyzeAddedIfStale(c, 40_000, "results"));
            assertEquals(PlannerStatistics.ADDED_TARGET + 1, histogramBounds(c, "v"), "the smaller sample's");
            double share;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select m.f from pg_stats, unnest(most_common_vals::text::int[], most_common_freqs) as m(v, f)"
                            + " where tablename = 'results' and attname = 'n' and m.v = 1000")) {
                assertTrue(rs.next(), "the delivery is among the most common values");
                share = rs.getDouble(1);
            }
            assertTrue(share > 0.09 && share < 0.15, "its rows' share: " + share);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select current_setting('default_statistics_target')")) {
                rs.next();
                assertEquals("100", rs.getString(1), "the transaction's target again");
            }
            c.commit();
        }
    }

    /**
     * An analysis that fails (here a column the table lacks) is reported as itself: the transaction is aborted, and
     * putting the statistics target back in it would fail in turn ("current transaction is aborted", 25P02) and hide
     * why; the rollback drops the transaction's setting anyway.
     */
    @Test
    void aFailedAnalysisForRowsAddedIsReportedAsItself() throws Exception {
        String url = databaseWith("broken");
        // analyzed before: the columns given are analyzed next (a table never analyzed is analyzed whole)
        change(url, "insert into broken select generate_series(1, 100); analyze broken");
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            exec(c, "insert into broken select generate_series(1, 100)");
            SQLException e = assertThrows(SQLException.class,
                    () -> PlannerStatistics.analyzeAddedIfStale(c, 100, "broken (missing)"));
            assertEquals("42703", e.getSQLState(), e.getMessage());
            c.rollback();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select current_setting('default_statistics_target')")) {
                rs.next();
                assertEquals("100", rs.getString(1), "the server's target after the rollback");
            }
        }
    }

    private static int histogramBounds(Connection c, String column) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select array_length("
                + "histogram_bounds::text::int[], 1) from pg_stats where tablename = 'results' and attname = '"
                + column + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aTableIsAnalyzedAgainWhenTheRowsItGainedOrLostSinceItsStatisticsAreATenthOfIt() throws Exception {
        String url = databaseWith("roster", "fresh");
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            change(url, "insert into roster select generate_series(1, 10000)");
            assertEquals(List.of("roster", "fresh"), PlannerStatistics.analyzeIfChanged(c, "roster", "fresh"),
                    "never analyzed");
            assertEquals(List.of(), PlannerStatistics.analyzeIfChanged(c, "roster", "fresh"), "nothing changed since");
            change(url, "insert into roster select generate_series(10001, 10999)");
            assertEquals(List.of(), PlannerStatistics.analyzeIfChanged(c, "roster"), "999 rows more than 10,000");
            change(url, "insert into roster select generate_series(11000, 11001)");
            assertEquals(List.of("roster"), PlannerStatistics.analyzeIfChanged(c, "roster"), "1,001 rows more");
            assertEquals(11_001, counted(c, "roster"));
            assertEquals(List.of(), PlannerStatistics.analyzeIfChanged(c, "roster"), "analyzed since");
            change(url, "delete from roster where n <= 1200");
            assertEquals(List.of("roster"), PlannerStatistics.analyzeIfChanged(c, "roster"), "1,200 rows fewer");
        }
    }

    /**
     * A roster import analyzes the tables it fills in its own transaction (the statements after it join them), and
     * PostgreSQL counts the transaction's rows as changes since that analysis only when it commits: a reporting load
     * after it took them all for changed and analyzed the roster's tables again (the NC year: 7 of the 8 tables its
     * analyze read, 1.1-2.4 s on the load's serial start, statistics of the same rows).
     */
    @Test
    void aTableAnalyzedInTheTransactionThatFilledItIsNotAnalyzedAgain() throws Exception {
        String url = databaseWith("roster");
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            change(url, "begin; insert into roster select generate_series(1, 10000); analyze roster; commit");
            assertEquals(List.of(), PlannerStatistics.analyzeIfChanged(c, "roster"), "analyzed with its rows");
            change(url, "begin; truncate roster; insert into roster select generate_series(1, 20000); analyze roster;"
                    + " commit");
            assertEquals(List.of(), PlannerStatistics.analyzeIfChanged(c, "roster"), "emptied, filled, analyzed");
            assertEquals(20_000, counted(c, "roster"));
        }
    }

    /** A new database with these tables of one column, which autovacuum leaves alone: its URL. */
    private static String databaseWith(String... tables) throws SQLException {
        String url = SharedPostgres.newDatabase();
        for (String t : tables) {
            change(url, "create table " + t + " (n int) with (autovacuum_enabled = off)");
        }
        return url;
    }

    /** Runs {@code sql} in a session of its own: its changes are committed, and counted in the shared statistics. */
    private static void change(String url, String sql) throws SQLException {
        try (Connection other = DriverManager.getConnection(url, "postgres", "")) {
            exec(other, sql);
            // a session's counts reach the shared statistics when it goes idle, at most once a second unless forced
            exec(other, "select pg_stat_force_next_flush()");
            exec(other, "select 1");
        }
    }

    private static List<String> analyzedColumns(Connection c, String table) throws SQLException {
        List<String> columns = new java.util.ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select attname from pg_stats where tablename = '" + table + "' order by attname")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        return columns;
    }

    private static long distinct(Connection c, String table, String column) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select n_distinct from pg_stats where tablename = '"
                + table + "' and attname = '" + column + "'")) {
            rs.next();
            return Math.round(rs.getDouble(1));
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long counted(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select reltuples from pg_class where oid = '" + table + "'::regclass")) {
            rs.next();
            return Math.round(rs.getDouble(1));
        }
    }
}
