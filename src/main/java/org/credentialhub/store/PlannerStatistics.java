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
    /**
     * Rows of work (a file staged, a batch matched) from which the transaction's scratch tables are analyzed
     * ({@link #analyzeScratch}).
     */
    public static final int SCRATCH_FROM_ROWS = 5_000;

    private PlannerStatistics() {
    }

    /**
     * Analyzes (in the connection's transaction, whose own rows ANALYZE samples) each table whose statistics
     * {@code rowsAdded} new rows make stale; returns the tables analyzed. A table may be given with the columns to
     * analyze, {@code "result (delivery_id, status)"}: its row count is brought up to date all the same, and its other
     * columns keep the statistics they had; a table never analyzed is analyzed whole. Each column's statistics are most
     * of an analyze's cost: the NC year's {@code result} and {@code result_identity} took 0.77 s whole, 0.35 s for the
     * columns the steps after publishing select and join by.
     */
    public static List<String> analyzeIfStale(Connection c, long rowsAdded, String... tables) throws SQLException {
        List<String> stale = new ArrayList<>();
        String[] plain = new String[tables.length];
        for (int i = 0; i < tables.length; i++) {
            int columns = tables[i].indexOf('(');
            plain[i] = (columns < 0 ? tables[i] : tables[i].substring(0, columns)).trim();
        }
        Array names = c.createArrayOf("text", plain);
        try (PreparedStatement ps = c.prepareStatement("""
                select t.name, c.reltuples, t.n
                from unnest(?::text[]) with ordinality as t(name, n)
                join pg_class c on c.oid = to_regclass(t.name)
                order by t.n""")) {
            ps.setArray(1, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double counted = rs.getDouble(2);
                    if (stale(rowsAdded, counted)) {
                        // a table never analyzed is analyzed whole: its other columns have no statistics to keep
                        int i = rs.getInt(3) - 1;
                        stale.add(counted < 0 ? plain[i] : tables[i]);
                    }
                }
            }
        } finally {
            names.free();
        }
        analyze(c, stale);
        return stale;
    }

    /**
     * {@link #analyzeIfStale} for the rows a transaction has just added, with a smaller sample: PostgreSQL samples 300
     * rows per unit of the statistics target ({@code default_statistics_target}, 100: 30,000 rows, from as many pages,
     * which for {@code result} is nearly every page of the NC year's table), where {@value #ADDED_TARGET} (9,000 rows)
     * shows what the steps after need. Rows added are analyzed for only when they are a tenth of the table or more
     * ({@link #STALE_SHARE}): such a delivery is about 800 rows of the sample or more, and among the most common values
     * its column's statistics keep ({@value #ADDED_TARGET}: no more than ten values can each be a tenth of a table), so
     * that its rows are estimated as many as they are. The columns analyzed keep these statistics until the next
     * analysis of the table (autovacuum's, or the reporting load's when a tenth of it changed since), at the server's
     * target. The NC year's analyses of {@code result} in large deliveries' publishing: 0.21-0.25 s each with the
     * server's target, 0.06-0.07 s with this one (psql, warm; docs/performance.md, session 54).
     */
    public static List<String> analyzeAddedIfStale(Connection c, long rowsAdded, String... tables) throws SQLException {
        String before = LocalSettings.set(c, "default_statistics_target", String.valueOf(ADDED_TARGET));
        // put back after an analysis that worked; one that failed aborted the transaction, whose rollback drops the
        // setting (a statement to put it back would fail in turn and hide why)
        List<String> analyzed = analyzeIfStale(c, rowsAdded, tables);
        LocalSettings.set(c, "default_statistics_target", before);
        return analyzed;
    }

    /** The statistics target of {@link #analyzeAddedIfStale}. */
    static final int ADDED_TARGET = 30;

    /**
     * Analyzes each table that was never analyzed, or whose live rows (committed, as PostgreSQL's statistics count
     * them: {@code n_live_tup}) differ from the rows its statistics count by at least {@link #STALE_SHARE} of them;
     * returns the tables analyzed. A table this transaction changed itself is not seen as changed (its changes are
     * counted when it commits): analyze it unconditionally.
     *
     * <p>Rows gained or lost, not PostgreSQL's count of changes since the last analysis ({@code n_mod_since_analyze}):
     * a roster import analyzes the tables it fills in its own transaction, whose rows are counted as changes since
     * that analysis only when it commits, so a reporting load after it took every table the import had analyzed for
     * changed and analyzed it again (the NC year: seven of the eight tables of the load's analyze, 1.1-2.4 s before its
     * first step, for statistics of the same rows; docs/performance.md, session 47). Rows updated in place are left to
     * autovacuum's analysis, which does count them.
     */
    public static List<String> analyzeIfChanged(Connection c, String... tables) throws SQLException {
        List<String> changed = new ArrayList<>();
        Array names = c.createArrayOf("text", tables);
        try (PreparedStatement ps = c.prepareStatement("""
                select t.name, c.reltuples, coalesce(s.n_live_tup, 0)
                from unnest(?::text[]) with ordinality as t(name, n)
                join pg_class c on c.oid = to_regclass(t.name)
                left join pg_stat_user_tables s on s.relid = c.oid
                order by t.n""")) {
            ps.setArray(1, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double counted = rs.getDouble(2);
                    long gainedOrLost = Math.round(Math.abs(rs.getLong(3) - counted));
                    if (counted < 0 || gainedOrLost > 0 && stale(gainedOrLost, counted)) {
                        changed.add(rs.getString(1));
                    }
                }
            }
        } finally {
            names.free();
        }
        analyze(c, changed);
        return changed;
    }

    /**
     * Analyzes a transaction's scratch tables (each may be given with its columns, {@code "stage_result (attempt_key)"})
     * when the work they hold is large: {@code rows} from {@link #SCRATCH_FROM_ROWS} on, however few rows each table
     * has itself. A temporary table has no statistics until analyzed (its last analyzed contents otherwise), and the
     * planner estimates it from its pages: hundreds of rows for a table of ten, fewer than a file's million. The
     * small work's tables are left to that estimate (an analyze of each costs more than a small file's statement).
     */
    public static void analyzeScratch(Connection c, long rows, String... tables) throws SQLException {
        if (rows >= SCRATCH_FROM_ROWS) {
            analyze(c, List.of(tables));
        }
    }

    private static void analyze(Connection c, List<String> tables) throws SQLException {
        if (!tables.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute("analyze " + String.join(", ", tables));
            }
        }
    }

    /** Whether {@code rowsAdded} rows make statistics counting {@code counted} rows stale (-1: never analyzed). */
    static boolean stale(long rowsAdded, double counted) {
        return counted < 0 || rowsAdded >= STALE_SHARE * counted;
    }
}
