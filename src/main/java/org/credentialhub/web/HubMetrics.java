package org.credentialhub.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The hub's own Prometheus gauges (next to Camel's route metrics): deliveries by feed and status,
 * rows accepted and rejected, results by match decision, open exceptions by kind, the time of each
 * feed's last delivery and of the last reporting load. Read from one snapshot query, refreshed at
 * most every 15 seconds however often Prometheus scrapes.
 */
public final class HubMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(HubMetrics.class);
    private static final long TTL_MS = 15_000;

    private final DataSource dataSource;
    private final MeterRegistry registry;
    private final Set<String> registered = new HashSet<>();
    private volatile Map<String, Double> snapshot = Map.of();
    private volatile long takenAt;

    public HubMetrics(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.registry = registry;
        refresh();
    }

    private double value(String key) {
        if (System.currentTimeMillis() - takenAt > TTL_MS) {
            refresh();
        }
        return snapshot.getOrDefault(key, 0.0);
    }

    private synchronized void refresh() {
        if (System.currentTimeMillis() - takenAt <= TTL_MS && !snapshot.isEmpty()) {
            return;
        }
        Map<String, Double> m = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     select 'hub_deliveries', 'feed=' || feed_code || ',status=' || status, count(*)::float8
                       from delivery group by feed_code, status
                     union all select 'hub_rows', 'feed=' || feed_code || ',outcome=accepted', sum(rows_accepted)::float8
                       from delivery group by feed_code
                     union all select 'hub_rows', 'feed=' || feed_code || ',outcome=rejected', sum(rows_rejected)::float8
                       from delivery group by feed_code
                     union all select 'hub_results', 'feed=' || feed_code || ',decision=' || coalesce(match_decision, 'pending'),
                       count(*)::float8 from result group by feed_code, match_decision
                     union all select 'hub_exceptions_open', 'kind=' || kind, count(*)::float8
                       from result_exception where status in ('open', 'deferred') group by kind
                     union all select 'hub_deliveries_unfinished', '', count(*)::float8
                       from delivery where acknowledged_at is null and pickup_ref is not null
                     union all select 'hub_feed_last_delivery_seconds', 'feed=' || feed_code,
                       extract(epoch from max(received_at))::float8 from delivery group by feed_code
                     union all select 'hub_reporting_last_load_seconds', '',
                       coalesce(extract(epoch from max(finished_at)), 0)::float8 from rpt.load_run where status = 'succeeded'
                     """)) {
            while (rs.next()) {
                String key = rs.getString(1) + "|" + rs.getString(2);
                m.put(key, rs.getDouble(3));
            }
        } catch (SQLException e) {
            LOG.warn("Hub metrics could not be read: {}", e.getClass().getSimpleName());
            return;
        }
        snapshot = m;
        takenAt = System.currentTimeMillis();
        for (String key : m.keySet()) {
            if (registered.add(key)) {
                String[] parts = key.split("\\|", 2);
                Tags tags = Tags.empty();
                if (!parts[1].isEmpty()) {
                    for (String kv : parts[1].split(",")) {
                        String[] t = kv.split("=", 2);
                        tags = tags.and(t[0], t[1]);
                    }
                }
                Gauge.builder(parts[0], this, h -> h.value(key)).tags(tags).strongReference(true).register(registry);
            }
        }
    }
}
