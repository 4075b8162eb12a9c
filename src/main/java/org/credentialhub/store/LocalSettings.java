package org.credentialhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * PostgreSQL's settings for the rest of a transaction ({@code set local}), each set in one round trip that also reads
 * the value it replaces, so that a step can give the transaction's next statements what they need (a large file's
 * hash memory, an analysis's sample) and put the setting back for the statements after it.
 */
public final class LocalSettings {
    private LocalSettings() {
    }

    /** Sets {@code name} to {@code value} for the rest of the transaction; returns its value before. */
    public static String set(Connection c, String name, String value) throws SQLException {
        return setTo(c, name, "?::text", value);
    }

    /**
     * Sets {@code name} for the rest of the transaction to the value of the SQL expression {@code value} (its
     * parameters {@code args}); returns the setting's value before (read first: a materialized CTE).
     */
    public static String setTo(Connection c, String name, String value, Object... args) throws SQLException {
        Object[] params = new Object[args.length + 2];
        params[0] = name;
        params[1] = name;
        System.arraycopy(args, 0, params, 2, args.length);
        try (PreparedStatement ps = Rows.prepare(c, "with before as materialized (select current_setting(?) as value)"
                + " select before.value, set_config(?, " + value + ", true) from before", params);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
