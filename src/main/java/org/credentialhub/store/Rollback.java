package org.credentialhub.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A transaction rolled back after the fault that ended it, which the caller then throws: when the rollback fails too
 * (the connection was lost: the pool's closed connection refuses it, with no SQLSTATE), the rollback's exception is
 * kept with the fault ({@link Throwable#addSuppressed}) instead of replacing it. Replaced, a connection lost in a
 * staging transaction's statement reached the delivery's route as a fault without a state, the data's fault: the file
 * was quarantined ("could not be read") instead of staged again once the database was back (LargeFileTest). The
 * server ends a transaction whose connection is gone by itself.
 */
public final class Rollback {
    private Rollback() {
    }

    /** Rolls {@code c}'s transaction back after {@code fault}; a failed rollback is added to {@code fault}. */
    public static void after(Connection c, Throwable fault) {
        try {
            c.rollback();
        } catch (SQLException e) {
            fault.addSuppressed(e);
        }
    }
}
