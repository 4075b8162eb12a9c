package org.credentialhub.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What tests ask of PostgreSQL sessions: one value, a statement refused with its SQLSTATE, a statement's plan, and a
 * statement left waiting for another transaction's lock.
 */
public final class Sessions {
    private Sessions() {
    }

    /** The first column of the first row. */
    public static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Asserts that {@code sql} is refused with {@code sqlState}. */
    public static void refused(Statement st, String sql, String sqlState) {
        SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
        assertEquals(sqlState, e.getSQLState(), sql + ": " + e.getMessage());
    }

    /** The plan {@code EXPLAIN} gives {@code sql}, a line each. */
    public static String plan(Statement st, String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = st.executeQuery("explain " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    /**
     * Runs {@code sql} on {@code session} in the background and returns once that session is seen waiting for a lock
     * (from {@code look}, a session outside a transaction), within ten seconds: an {@link AssertionError} naming
     * {@code what} otherwise. The future holds the rows {@code sql} changed, or fails with its error.
     */
    public static CompletableFuture<Integer> waitingForALock(Connection session, String sql, Statement look, String what)
            throws Exception {
        int pid;
        try (Statement st = session.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            pid = rs.getInt(1);
        }
        CompletableFuture<Integer> done = CompletableFuture.supplyAsync(() -> {
            try (Statement st = session.createStatement()) {
                return st.executeUpdate(sql);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 200; i++) {
            if ("Lock".equals(one(look, "select wait_event_type from pg_stat_activity where pid = " + pid))) {
                return done;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(what + " does not wait for a lock");
    }
}
