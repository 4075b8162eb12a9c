package org.credentialhub.store;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A table taken for its first rows ({@link FirstRows#taken}) is held for the rest of the transaction only when it is
 * empty: a table with rows, or one someone reads, is not held, and the transaction goes on (a reporting load after the
 * first asks for its pseudonyms and student dimensions each time, and held them all through the load before: readers
 * of those tables waited for every load).
 */
class FirstRowsTest {
    private String url;

    @BeforeEach
    void database() {
        url = SharedPostgres.newDatabase("create table t (k int primary key)");
    }

    @Test
    void anEmptyTableIsTakenUntilTheTransactionEnds() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Connection reader = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            assertTrue(FirstRows.taken(c, "t", "access exclusive mode nowait"));
            assertFalse(readable(reader), "a reader waits for the first rows");
            c.commit();
            assertTrue(readable(reader));
        }
    }

    @Test
    void aTableWithRowsOrOneSomeoneReadsIsNotHeld() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Connection reader = DriverManager.getConnection(url, "postgres", "")) {
            exec(c, "insert into t values (1)");
            c.setAutoCommit(false);
            assertFalse(FirstRows.taken(c, "t", "access exclusive mode nowait"), "t holds a row");
            assertTrue(readable(reader), "a table with rows is not held by the transaction that asked");

            exec(c, "delete from t");
            c.commit();
            reader.setAutoCommit(false);
            exec(reader, "select count(*) from t");   // held for reading until it ends
            assertFalse(FirstRows.taken(c, "t", "access exclusive mode nowait"), "someone reads t");
            reader.commit();
            reader.setAutoCommit(true);
            exec(c, "insert into t values (2)");   // the transaction goes on
            assertTrue(readable(reader), "nor is a table someone read");
            c.commit();
        }
    }

    /**
     * A table's first rows written before its keys leave the tables its foreign keys name as they were for everyone
     * else: dropping a foreign key takes the table it names (access exclusive, to remove its triggers there), so the
     * first reporting load, whose pseudonyms name the roster, held every reader of the roster (matching, the console,
     * the exception queue) until it committed (the NC year's count against truth.csv waited 14 s for it). A foreign key
     * is made again after the rows only when the table it names is the transaction's own already (the roster's first
     * bundle empties the roster with its users); otherwise it stays, and checks each row as it is written.
     */
    @Test
    void theTablesAForeignKeyNamesAreReadableWhileTheFirstRowsAreWritten() throws Exception {
        url = SharedPostgres.newDatabase("""
                create table t (k int primary key);
                create table named (k int primary key, u int unique references t (k));
                insert into t select g from generate_series(1, 100) g""");
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Connection reader = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            assertTrue(FirstRows.taken(c, "named", "access exclusive mode nowait"));
            FirstRows.insertBeforeKeys(c, "named", () -> {
                try (Statement st = c.createStatement()) {
                    return st.executeUpdate("insert into named select k, k from t");
                }
            });
            assertTrue(readable(reader), "the table the foreign key names is read while the first rows are written");
            c.commit();
            SQLException orphan = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                    () -> exec(c, "insert into named values (101, 101)"));
            org.junit.jupiter.api.Assertions.assertEquals("23503", orphan.getSQLState(), "the foreign key holds");
            c.rollback();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    select count(*) filter (where contype = 'f'), count(*) filter (where contype = 'u'),
                           count(*) filter (where contype = 'p')
                    from pg_constraint where conrelid = 'named'::regclass""")) {
                rs.next();
                org.junit.jupiter.api.Assertions.assertEquals("1 1 1", rs.getInt(1) + " " + rs.getInt(2) + " " + rs.getInt(3),
                        "the keys and the foreign key, once each");
            }
            c.commit();
        }
    }

    /** Whether {@code reader} can read t now, without waiting. */
    private static boolean readable(Connection reader) throws SQLException {
        try (Statement st = reader.createStatement()) {
            st.execute("set lock_timeout = '200ms'");
            try (ResultSet rs = st.executeQuery("select count(*) from t")) {
                return rs.next();
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
