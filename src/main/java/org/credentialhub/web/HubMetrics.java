package org.credentialhub.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.credentialhub.exceptions.QueueView;
import org.credentialhub.reporting.ReportingLoad;
import org.credentialhub.store.Deliveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The hub's own Prometheus gauges (next to Camel's route metrics): deliveries by feed and status,
 * rows accepted and rejected, results by match decision, open exceptions by kind, the time of each
 * feed's last delivery and of the last reporting load. Read from the owners of those tables (store.Deliveries,
 * exceptions.QueueView, reporting.ReportingLoad) on one connection, refreshed at most every 15 seconds however
 * often Prometheus scrapes.
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
        try (Connection c = dataSource.getConnection()) {
            Deliveries.gauges(c, m);
            QueueView.gauges(c, m);
            ReportingLoad.gauges(c, m);
            org.credentialhub.guards.Alarms.gauges(c, m);
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
