package org.credentialhub.store;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An insert whose select runs in parallel ({@link ParallelSelect}): the same rows in the same order as the insert run
 * as one statement, from rows the transaction wrote itself, inside the caller's transaction.
 */
class ParallelSelectTest {
    /** A select that sorts and keeps one row per key, as the reporting load's earned facts do. */
    private static final String SELECT = """
            select distinct on (k) k, v, note
            from source where v >= ?
            order by k, v desc""";
    private String url;

    @BeforeEach
    void database() {
        url = SharedPostgres.newDatabase("""
                create table source (k int not null, v int not null, note text);
                create table plain (k int, v int, note text);
                create table target (k int, v int, note text, written timestamptz default now())""");
    }

    @Test
    void theRowsAreThoseOfTheInsertAsOneStatementFromTheTransactionsOwnRows() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            // the source's rows are this transaction's own, not committed; workers run every plan (a Gather on top)
            exec(c, "insert into source select i % 20000, i, 'n' || i from generate_series(1, 60000) i");
            exec(c, "analyze source");
            exec(c, "set local debug_parallel_query = on");
            int plain = Rows.update(c, "insert into plain (k, v, note) " + SELECT, 100);
            int rows = ParallelSelect.insert(c, "insert into target (k, v, note)\n" + SELECT, 100);
            assertEquals(20000, plain);
            assertEquals(plain, rows);
            assertEquals(read(c, "select k, v, note from plain order by ctid"),
                    read(c, "select k, v, note from target order by ctid"), "the same rows, in the select's order");
            c.rollback();
        }
    }

    @Test
    void itsSelectIsPlannedForParallelWorkersInATransactionThatWrote() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            exec(c, "insert into source select i % 20000, i, 'n' || i from generate_series(1, 60000) i");
            exec(c, "analyze source");
            // (cheap workers: the test's table is small)
            exec(c, "set local parallel_setup_cost = 0");
            exec(c, "set local parallel_tuple_cost = 0");
            exec(c, "set local min_parallel_table_scan_size = 0");
            String plan = String.join("\n", read(c, "explain (costs off) create temp table x as "
                    + SELECT.replace("?", "100")));
            assertTrue(plan.contains("Gather"), plan);
            c.rollback();
        }
    }

    @Test
    void twiceInOneTransactionAndRolledBackWithIt() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            exec(c, "insert into source select i % 100, i, null from generate_series(1, 1000) i");
            c.setAutoCommit(false);
            assertEquals(100, ParallelSelect.insert(c, "insert into target (k, v, note) " + SELECT, 0));
            assertEquals(50, ParallelSelect.insert(c, "insert into target (k, v, note) " + SELECT.replace(
                    "where v >= ?", "where k < 50 and v >= ?"), 0));
            assertEquals(List.of("150"), read(c, "select count(*) from target"));
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(List.of("0"), read(c, "select count(*) from target"));
        }
    }

    @Test
    void aStatementThatIsNotAnInsertOfASelectIsRefused() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ParallelSelect.insert(c, "update target set v = 1"));
            assertTrue(e.getMessage().contains("update target"), e.getMessage());
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<String> read(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }
}
