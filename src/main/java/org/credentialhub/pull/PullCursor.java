package org.credentialhub.pull;

import org.credentialhub.store.Rows;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Where a feed's pull stands, in PostgreSQL ({@code api_cursor}): while a pull runs, the next page's URL (as
 * {@link Paging#underBase} keeps it) and the newest record time met so far in the run; between pulls, the
 * since-cursor the next pull starts from.
 */
final class PullCursor {
    private final DataSource dataSource;

    /** The cursor as read: a pull goes on at {@code nextPage}, or starts over from {@code since}. */
    record Position(String since, String nextPage, String runMax) {
    }

    PullCursor(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The feed's cursor, made at {@code start} (the feed's configured first since) when it has none yet. */
    Position read(String feed, String start) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into api_cursor (feed_code, since) values (?, ?) on conflict do nothing")) {
                ps.setString(1, feed);
                ps.setString(2, start);
                ps.executeUpdate();
            }
            Map<String, Object> row = Rows.list(c, "select since, next_page, run_max from api_cursor where feed_code = ?",
                    List.of(feed)).get(0);
            return new Position((String) row.get("since"), (String) row.get("next_page"), (String) row.get("run_max"));
        }
    }

    /**
     * Moves the cursor past a page: to the next page, or, after the last one, to a new since (the newer of the
     * old since and the run's newest time). In the transaction {@code tx} when given, else in one of its own.
     */
    void advance(Connection tx, String feed, String next, String runMax) throws SQLException {
        String sql = next != null
                ? "update api_cursor set next_page = ?, run_max = ?, pages = pages + 1, updated_at = now() where feed_code = ?"
                : "update api_cursor set next_page = null, since = coalesce(?, since), run_max = null, pages = pages + 1,"
                + " updated_at = now() where feed_code = ?";
        Connection c = tx != null ? tx : dataSource.getConnection();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (next != null) {
                ps.setString(i++, next);
                ps.setString(i++, runMax);
            } else {
                ps.setString(i++, newerOf(runMax, feed, c));
            }
            ps.setString(i, feed);
            ps.executeUpdate();
        } finally {
            if (tx == null) {
                c.close();
            }
        }
    }

    private static String newerOf(String runMax, String feed, Connection c) throws SQLException {
        List<Map<String, Object>> rows = Rows.list(c, "select since from api_cursor where feed_code = ?", List.of(feed));
        return rows.isEmpty() ? runMax : Paging.max((String) rows.get(0).get("since"), runMax);
    }
}
