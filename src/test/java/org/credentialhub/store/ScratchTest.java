package org.credentialhub.store;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScratchTest {
    private static final Scratch.Table ROWS = new Scratch.Table("scratch_rows", "k text, n int", "k, n");
    private static final Scratch.Table KEYS = new Scratch.Table("scratch_keys", "k text primary key");
    private static final Scratch.Table OTHER = new Scratch.Table("scratch_other", "k text");

    private String url;

    @BeforeEach
    void database() {
        url = SharedPostgres.newDatabase();
    }

    @Test
    void aScratchTableIsCreatedOnceASessionAndEmptiedAtEveryCommit() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            Scratch.ensure(c, ROWS, KEYS);
            long oid = oid(c, "scratch_rows");
            exec(c, "insert into scratch_rows values ('a', 1), ('b', 2); insert into scratch_keys values ('a')");
            assertEquals(2, count(c, "scratch_rows"));
            c.commit();

            Scratch.ensure(c, ROWS, KEYS);
            // no DDL at a later use: creating or dropping a temporary table made PostgreSQL plan every statement of the
            // session again
            assertEquals(oid, oid(c, "scratch_rows"), "the table of the session's first use, not a new one");
            assertEquals(0, count(c, "scratch_rows"));
            assertEquals(0, count(c, "scratch_keys"));
            assertEquals(1, count(c, "pg_indexes where tablename = 'scratch_rows'"), "its index, once");
            exec(c, "insert into scratch_keys values ('a')");   // the primary key holds within a transaction only
            c.commit();
        }
    }

    @Test
    void aTableCreatedInATransactionThatRolledBackIsCreatedAgain() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            Scratch.ensure(c, ROWS);
            exec(c, "insert into scratch_rows values ('a', 1)");
            c.rollback();

            Scratch.ensure(c, ROWS, KEYS);
            exec(c, "insert into scratch_rows values ('b', 2)");
            assertEquals(1, count(c, "scratch_rows"));
            c.commit();
        }
    }

    @Test
    void aTransactionAsksOnceForEveryTableItsStepsUse() throws Exception {
        try (Connection real = DriverManager.getConnection(url, "postgres", "")) {
            int[] statements = {0};
            Connection c = counting(real, statements);
            c.setAutoCommit(false);
            try (Scratch.Scope scope = Scratch.forTransaction(c, ROWS, KEYS)) {
                int asked = statements[0];
                Scratch.ensure(c, ROWS);
                Scratch.ensure(c, KEYS, ROWS);
                assertEquals(asked, statements[0], "the steps' own asking: none within the transaction's scope");
                exec(real, "insert into scratch_rows values ('a', 1); insert into scratch_keys values ('a')");
                Scratch.ensure(c, OTHER);
                assertTrue(statements[0] > asked, "a table the scope did not ask for is asked for");
                try (Connection second = DriverManager.getConnection(url, "postgres", "")) {
                    Scratch.ensure(second, ROWS);
                    assertEquals(0, count(second, "scratch_rows"), "another connection's session has its own");
                }
                c.rollback();
            }
            // the transaction that created them rolled back: they are gone, and asked for (and made) again
            int before = statements[0];
            Scratch.ensure(c, ROWS, KEYS);
            assertTrue(statements[0] > before, "asked again once the scope is closed");
            assertEquals(0, count(real, "scratch_rows"));
            exec(real, "insert into scratch_keys values ('b')");
            assertEquals(1, count(real, "scratch_keys"));
        }
    }

    /** The connection, counting the statements made on it (each one round trip or more). */
    private static Connection counting(Connection real, int[] statements) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(ScratchTest.class.getClassLoader(),
                new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement") || method.getName().equals("createStatement")) {
                        statements[0]++;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aNameThatIsNotAPlainIdentifierIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Scratch.Table("rows; drop table result", "k text"));
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(Connection c, String from) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from " + from)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long oid(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select ?::regclass::oid")) {
            ps.setString(1, "pg_temp." + table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
