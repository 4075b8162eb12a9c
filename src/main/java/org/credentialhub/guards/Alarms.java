package org.credentialhub.guards;

import org.apache.camel.Exchange;
import org.credentialhub.store.Rows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The guards' alarms ({@code guard_alarm}; docs/guards.md): match-rate alarms (raised by {@link MatchRates}) and
 * late feeds (guard 4, raised here: a feed overdue for its cadence in {@code ops_feed_status}, whose lateness
 * feeds.Cadence and feeds.FeedTable own, raises one alert per lateness). What the console API, health and metrics
 * show of them, their release or clearing by operations, and which ones the notifier (e-mail, webhook) still
 * has to send.
 */
public final class Alarms {
    private static final Logger LOG = LoggerFactory.getLogger(Alarms.class);

    private final DataSource dataSource;
    private final boolean notify;

    /** @param notify an e-mail or webhook notifier is configured: alarms wait to be sent */
    public Alarms(DataSource dataSource, boolean notify) {
        this.dataSource = dataSource;
        this.notify = notify;
    }

    /** Raises one {@code feed_late} alarm per feed and lateness (its {@code due_by}); returns how many are new. */
    public int raiseLate() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into guard_alarm (kind, feed_code, message, due_by)
                     select 'feed_late', s.feed_code,
                            'feed ' || s.feed_code || ' is late: ' || coalesce(s.expected_cadence, '') || ' cadence, due by '
                              || to_char(s.due_by at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC, last delivery '
                              || coalesce(to_char(l.last at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC', 'never'),
                            s.due_by
                     from ops_feed_status s
                     left join lateral (select max(received_at) as last from delivery d where d.feed_code = s.feed_code) l on true
                     where s.overdue
                     on conflict (feed_code, due_by) where kind = 'feed_late' do nothing""")) {
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.warn("{} feed(s) newly late (GET /api/guards/alarms)", n);
            }
            // a feed that delivered again is no longer late: its alarm clears itself
            try (PreparedStatement clear = c.prepareStatement("""
                    update guard_alarm a set cleared_at = now(), cleared_by = 'system'
                    from ops_feed_status s
                    where a.kind = 'feed_late' and a.cleared_at is null and s.feed_code = a.feed_code
                      and (not s.overdue or s.due_by <> a.due_by)""")) {
                clear.executeUpdate();
            }
            return n;
        }
    }

    /** Route step: raises late-feed alarms, then makes the body the alarms the notifier has to send (none without one). */
    public void pending(Exchange exchange) throws SQLException {
        raiseLate();
        exchange.getIn().setBody(notify ? Rows.list(dataSource, """
                select alarm_id as id, kind, feed_code as feed, delivery_id as delivery, district_code as district, message,
                       raised_at::text as raised_at
                from guard_alarm where notified_at is null and cleared_at is null and raised_at > now() - interval '1 day'
                order by alarm_id""", List.of()) : List.of());
    }

    /** The notifier sent the alarm (header {@code hubAlarmId}): it is not sent again. */
    public void notified(Exchange exchange) throws SQLException {
        long id = exchange.getIn().getHeader("hubAlarmId", Long.class);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update guard_alarm set notified_at = now() where alarm_id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    /** Open alarms, newest first (at most 500). */
    public List<Map<String, Object>> open() throws SQLException {
        return Rows.list(dataSource, """
                select alarm_id as id, kind, feed_code as feed, delivery_id as delivery, district_code as district, message,
                       holding, raised_at::text as raised_at, due_by::text as due_by, notified_at::text as notified_at
                from guard_alarm where cleared_at is null order by alarm_id desc limit 500""", List.of());
    }

    /**
     * Clears an alarm (ops saw it); a holding one is released: its delivery's exceptions are queued from now on.
     * Returns the delivery it held, or null.
     *
     * @throws IllegalArgumentException when there is no open alarm of that id
     */
    public Long clear(long alarmId, String who) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update guard_alarm set cleared_at = now(), cleared_by = ?, holding = false
                     where alarm_id = ? and cleared_at is null returning delivery_id, holding""")) {
            ps.setString(1, who);
            ps.setLong(2, alarmId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no open alarm " + alarmId);
                }
                long d = rs.getLong(1);
                return rs.wasNull() ? null : d;
            }
        }
    }

    /** For health and the status page: open alarms by kind (empty: none). */
    public Map<String, Long> openByKind() throws SQLException {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (Map<String, Object> r : Rows.list(c, """
                    select kind, count(*) as n from guard_alarm where cleared_at is null group by kind order by kind""", List.of())) {
                m.put((String) r.get("kind"), ((Number) r.get("n")).longValue());
            }
        }
        return m;
    }

    /** The guards' metrics: open alarms by kind and feed, SIS bundles held for approval. */
    public static void gauges(Connection c, Map<String, Double> into) throws SQLException {
        Rows.gauges(c, """
                select 'hub_guard_alarms_open', 'kind=' || kind || ',feed=' || feed_code, count(*)::float8
                  from guard_alarm where cleared_at is null group by kind, feed_code
                union all select 'hub_sis_holds_undecided', '', count(*)::float8
                  from sis_hold where decision is null and outcome is null
                union all select 'hub_delivery_match_rate', 'feed=' || feed_code, rate::float8
                  from (select distinct on (feed_code) feed_code, rate from delivery_match_rate where district_code = ''
                        order by feed_code, delivery_id desc) last""", into);
    }
}
