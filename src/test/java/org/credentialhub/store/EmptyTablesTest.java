package org.credentialhub.store;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tables emptied again in a transaction before their first rows (a first roster's, a first reporting load's facts):
 * only when every one is empty and no one else holds one; and never the transaction's end: a table it may not empty
 * (another table's foreign key names it) leaves the tables as they are and the transaction going.
 */
class EmptyTablesTest {
    private String url;

    @BeforeEach
    void database() {
        url = SharedPostgres.newDatabase("create table a (k int primary key); create table b (k int);"
                + " create table named (k int primary key); create table naming (k int references named)");
    }

    @Test
    void emptyTablesNoOneHoldsAreEmptiedAgainInTheTransaction() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            long before = file(c, "a");
            c.setAutoCommit(false);
            assertTrue(EmptyTables.truncatedIfEmpty(c, List.of("a", "b")));
            exec(c, "insert into a values (1)");
            c.commit();
            assertNotEquals(before, file(c, "a"), "a new file, written in the transaction that made it");
        }
    }

    @Test
    void aTableWithARowOrOneSomeoneHoldsOrOneAForeignKeyNamesLeavesThemAllAsTheyAre() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Connection other = DriverManager.getConnection(url, "postgres", "")) {
            long a = file(c, "a");
            long named = file(c, "named");
            c.setAutoCommit(false);

            exec(other, "insert into b values (1)");
            assertFalse(EmptyTables.truncatedIfEmpty(c, List.of("a", "b")), "b holds a row");
            exec(other, "delete from b");

            other.setAutoCommit(false);
            exec(other, "select count(*) from b");   // held for reading until it ends
            assertFalse(EmptyTables.truncatedIfEmpty(c, List.of("a", "b")), "someone reads b");
            other.commit();

            assertFalse(EmptyTables.truncatedIfEmpty(c, List.of("named")), "naming's foreign key names it");

            exec(c, "insert into a values (1)");   // the transaction goes on
            c.commit();
            assertEquals(a, file(c, "a"));
            assertEquals(named, file(c, "named"));
        }
    }

    private static long file(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select relfilenode from pg_class where oid = '" + table + "'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
