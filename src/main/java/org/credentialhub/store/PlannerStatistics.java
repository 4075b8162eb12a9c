package org.credentialhub.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Fresh planner statistics for tables a transaction has just added many rows to, when the statistics they have would
 * mislead the planner about those rows. Autovacuum analyzes a table only after a tenth of it changed, and later; a step
 * that selects the rows just added (a large delivery's matching, match rates, exceptions) is planned before that.
 *
 * <p>A table is analyzed when it never was, or when the rows added are at least {@link #STALE_SHARE} of the rows its
 * statistics count: a file as large as the table before it would be taken for a handful of rows (nested loops over
 * hundreds of thousands, seen at 250,000 rows); a file that is a small share of the table is planned well enough by
 * the statistics it has, and analyzing a table of half a million rows costs a few seconds each time (2-2.6 s for
 * {@code result} and {@code result_identity} at the NC year's full scale).
 */
public final class PlannerStatistics {
    /** The share of a table's counted rows from which rows just added make its statistics stale. */
    static final double STALE_SHARE = 0.10;

    private PlannerStatistics() {
    }

    /**
     * Analyzes (in the connection's transaction, whose own rows ANALYZE samples) each table whose statistics
     * {@code rowsAdded} new rows make stale; returns the tables analyzed.
     */
    public static List<String> analyzeIfStale(Connection c, long rowsAdded, String... tables) throws SQLException {
        List<String> stale = new ArrayList<>();
        Array names = c.createArrayOf("text", tables);
        try (PreparedStatement ps = c.prepareStatement("""
                select t.name, c.reltuples
                from unnest(?::text[]) with ordinality as t(name, n)
                join pg_class c on c.oid = to_regclass(t.name)
                order by t.n""")) {
            ps.setArray(1, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (stale(rowsAdded, rs.getDouble(2))) {
                        stale.add(rs.getString(1));
                    }
                }
            }
        } finally {
            names.free();
        }
        if (!stale.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute("analyze " + String.join(", ", stale));
            }
        }
        return stale;
    }

    /** Whether {@code rowsAdded} rows make statistics counting {@code counted} rows stale (-1: never analyzed). */
    static boolean stale(long rowsAdded, double counted) {
        return counted < 0 || rowsAdded >= STALE_SHARE * counted;
    }
}
