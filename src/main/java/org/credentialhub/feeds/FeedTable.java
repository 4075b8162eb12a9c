package org.credentialhub.feeds;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.credentialhub.store.Rows;

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

    /**
     * Every feed for the operations console: last delivery, counts, match rate, open exceptions, and its
     * lateness from {@code ops_feed_status} ({@code due_epoch}: seconds, null when it is never late;
     * {@code overdue}).
     */
    public static List<Map<String, Object>> overview(DataSource dataSource) throws SQLException {
        return Rows.list(dataSource, """
                select f.feed_code as feed, f.kind, f.layout, f.description, f.expected_cadence as cadence,
                       f.updated_at::text as configured,
                       last.source_name as last_source,
                       extract(epoch from st.due_by)::bigint as due_epoch, st.overdue,
                       last.received_at::text as last_received, last.status as last_status,
                       coalesce(agg.deliveries, 0) as deliveries,
                       coalesce(agg.rows_accepted, 0) as rows_accepted,
                       coalesce(agg.rows_rejected, 0) as rows_rejected,
                       coalesce(agg.quarantined, 0) as quarantined,
                       coalesce(agg.duplicates, 0) as duplicates,
                       res.results, res.matched,
                       case when res.results > 0 then round(100.0 * res.matched / res.results, 1) end as match_rate,
                       coalesce(exc.open, 0) as open_exceptions
                from feed f join ops_feed_status st using (feed_code)
                left join lateral (select source_name, received_at, status from delivery d
                                   where d.feed_code = f.feed_code order by received_at desc limit 1) last on true
                left join lateral (select count(*) as deliveries, sum(rows_accepted) as rows_accepted,
                                          sum(rows_rejected) as rows_rejected,
                                          count(*) filter (where status = 'quarantined') as quarantined,
                                          count(*) filter (where status = 'duplicate') as duplicates
                                   from delivery d where d.feed_code = f.feed_code) agg on true
                left join lateral (select count(*) as results,
                                          count(*) filter (where match_decision = 'match') as matched
                                   from result r where r.feed_code = f.feed_code) res on true
                left join lateral (select count(*) as open from result_exception e join result r using (result_id)
                                   where r.feed_code = f.feed_code and e.status in ('open', 'deferred')) exc on true
                order by f.feed_code""", List.of());
    }
}
