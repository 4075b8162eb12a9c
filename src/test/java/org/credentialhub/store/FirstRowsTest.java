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
