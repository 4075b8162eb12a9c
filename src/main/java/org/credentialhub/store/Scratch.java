package org.credentialhub.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * Scratch tables: the temporary tables a step fills (COPY) and reads within one transaction, such as a delivery's
 * staged rows or its match decisions. Each is created once in a database session, on first use, and emptied at
 * every commit ({@code on commit delete rows}); a rolled-back transaction takes its rows with it, and a table created
 * in it, which the next use then creates again.
 *
 * <p>Not created and dropped per transaction: that DDL cost a small file more than its rows did (five tables,
 * about 12 ms of the server's time per file), and every temporary table created or dropped in a session discards
 * each plan the session had cached, so every statement of the hub was planned again on each use.
 *
 * <p>Whether a table exists is asked of the session itself (one query per use), not remembered per connection: a
 * connection pool in front of PostgreSQL may hand the next transaction to another session. A transaction whose steps
 * use several tables asks once for all of them ({@link #forTransaction}): within it the session is the same.
 */
public final class Scratch {
    private Scratch() {
    }

    /** A scratch table: its name, its column list (the text between the parentheses), and its indexes, if any. */
    public record Table(String name, String columns, String... indexes) {
        /**
         * @param indexes each the column list of an index (the text between the parentheses); named
         *                {@code <table>_<n>}
         */
        public Table {
            if (!name.matches("[a-z_]+")) {
                throw new IllegalArgumentException("a scratch table's name is lower case letters and underscores: " + name);
            }
        }
    }

    /** The tables a transaction on this thread asked for at its start ({@link #forTransaction}), with its connection. */
    private static final ThreadLocal<Ensured> ENSURED = new ThreadLocal<>();

    private record Ensured(Connection connection, Set<String> names) {
    }

    /** Ends what {@link #forTransaction} began. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Makes sure each table exists (one query for all of them), for a transaction whose steps use them one after the
     * other: until the returned scope is closed, {@link #ensure} of any of them on {@code c} on this thread asks nothing
     * (a small file's staging asked five times, a round trip each, while its connection's thread waited for a core
     * between each: docs/performance.md, session 63). Close it when the transaction ends, before the connection is used
     * for another: a transaction rolled back takes a table it created with it.
     */
    public static Scope forTransaction(Connection c, Table... tables) throws SQLException {
        ensure(c, tables);
        Ensured outer = ENSURED.get();
        Set<String> names = new HashSet<>();
        for (Table t : tables) {
            names.add(t.name());
        }
        ENSURED.set(new Ensured(c, names));
        return () -> {
            if (outer == null) {
                ENSURED.remove();
            } else {
                ENSURED.set(outer);
            }
        };
    }

    /** Makes sure each table exists in the connection's session (empty, unless this transaction filled it). */
    public static void ensure(Connection c, Table... tables) throws SQLException {
        if (ensuredAlready(c, tables)) {
            return;
        }
        Set<String> present = new HashSet<>();
        String[] names = new String[tables.length];
        for (int i = 0; i < tables.length; i++) {
            names[i] = tables[i].name();
        }
        Array array = c.createArrayOf("text", names);
        try (PreparedStatement ps = c.prepareStatement(
                "select relname from pg_class where relnamespace = pg_my_temp_schema() and relname = any (?)")) {
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        } finally {
            array.free();
        }
        if (present.size() == tables.length) {
            return;
        }
        try (Statement st = c.createStatement()) {
            for (Table t : tables) {
                if (present.contains(t.name())) {
                    continue;
                }
                st.execute("create temp table " + t.name() + " (" + t.columns() + ") on commit delete rows");
                for (int i = 0; i < t.indexes().length; i++) {
                    st.execute("create index " + t.name() + "_" + (i + 1) + " on " + t.name() + " (" + t.indexes()[i] + ")");
                }
            }
        }
    }

    private static boolean ensuredAlready(Connection c, Table... tables) {
        Ensured e = ENSURED.get();
        if (e == null || e.connection() != c) {
            return false;
        }
        for (Table t : tables) {
            if (!e.names().contains(t.name())) {
                return false;
            }
        }
        return true;
    }
}
