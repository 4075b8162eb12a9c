package org.credentialhub.sis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Runs the import's SQL steps, with the SIS source (feed) bound to every {@code ?1} of a statement, and logs
 * a step that takes long (every step at debug level) under the import's logger.
 */
final class ImportSteps {
    /** The import's log: its steps are logged as {@link OneRosterImport}'s. */
    private static final Logger LOG = LoggerFactory.getLogger(OneRosterImport.class);

    private ImportSteps() {
    }

    /** Runs an update; each {@code ?1} is the feed; returns the rows it changed. */
    static int update(Connection c, String feed, String sql) throws SQLException {
        long t = System.nanoTime();
        int n;
        try (PreparedStatement ps = prepare(c, feed, sql)) {
            n = ps.executeUpdate();
        }
        timed(t, sql);
        return n;
    }

    /** Prepares a statement whose every {@code ?1} is bound to the feed. */
    static PreparedStatement prepare(Connection c, String feed, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql.replace("?1", "?"));
        try {
            int n = parameters(sql);
            for (int i = 1; i <= n; i++) {
                ps.setString(i, feed);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Logs a step begun at {@code start} (nanoTime) if it took over 200 ms, or at debug level: its first line. */
    static void timed(long start, String sql) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (LOG.isDebugEnabled() || ms > 200) {
            LOG.info("SIS step {} ms: {}", ms, sql.strip().lines().findFirst().orElse(""));
        }
    }

    /** Counts the {@code ?1} placeholders of a statement (each bound to the feed). */
    private static int parameters(String sql) {
        int n = 0;
        for (int i = sql.indexOf("?1"); i >= 0; i = sql.indexOf("?1", i + 2)) {
            n++;
        }
        return n;
    }
}
