package org.credentialhub.feeds;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;

/**
 * The {@code feed} table: the configured feeds as the database knows them, with their {@link Cadence}
 * ({@code expected_every}, {@code late_after}) for the {@code ops_feed_status} view.
 */
public final class FeedTable {
    private FeedTable() {
    }

    /** Inserts or updates every feed; a feed whose settings did not change keeps its {@code updated_at}. */
    public static void register(DataSource dataSource, Collection<FeedConfig> feeds) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into feed (feed_code, kind, layout, description, expected_cadence, expected_every, late_after)
                     values (?, ?, ?, ?, ?, ?::interval, ?::interval)
                     on conflict (feed_code) do update set kind = excluded.kind, layout = excluded.layout,
                         description = excluded.description, expected_cadence = excluded.expected_cadence,
                         expected_every = excluded.expected_every, late_after = excluded.late_after, updated_at = now()
                     where (feed.kind, feed.layout, feed.description, feed.expected_cadence, feed.expected_every,
                            feed.late_after)
                           is distinct from (excluded.kind, excluded.layout, excluded.description,
                                             excluded.expected_cadence, excluded.expected_every, excluded.late_after)""")) {
            for (FeedConfig f : feeds) {
                ps.setString(1, f.code());
                ps.setString(2, f.kind());
                ps.setString(3, f.layoutName());
                ps.setString(4, f.description());
                ps.setString(5, f.cadence());
                ps.setString(6, interval(f.expectedEvery()));
                ps.setString(7, interval(f.lateAfter()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static String interval(Duration d) {
        return d == null ? null : d.toMillis() + " milliseconds";
    }
}
