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
        try (Connection c = DriverManager.getConnection(SharedPostgres.newDatabase(), "postgres", "")) {
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
