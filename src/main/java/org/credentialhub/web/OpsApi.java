package org.credentialhub.web;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Audit;
import org.credentialhub.accounts.Role;
import org.credentialhub.exceptions.QueueView;
import org.credentialhub.feeds.Cadence;
import org.credentialhub.feeds.FeedTable;
import org.credentialhub.store.Deliveries;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/** The operations console: feeds and their lateness, deliveries and lineage, quarantine, system state, charts. */
public final class OpsApi {
    private final DataSource dataSource;
    private final QueueView queue;
    private final Health health;
    private final org.credentialhub.reporting.ReportingLoad reporting;
    /** Whether an API feed can be pulled (its secret is configured). */
    private final java.util.function.Predicate<String> pullable;

    public OpsApi(DataSource dataSource, Health health, org.credentialhub.reporting.ReportingLoad reporting,
                  java.util.function.Predicate<String> pullable) {
        this.dataSource = dataSource;
        this.queue = new QueueView(dataSource);
        this.health = health;
        this.reporting = reporting;
        this.pullable = pullable;
    }

    /**
     * The state the feeds page shows (field {@code state}): {@code not_pulled} (an API feed without its secret),
     * {@code never_delivered} (nothing ever came), {@code late}, {@code on_time}, or null for a feed without a
     * cadence to be late against. Lateness still counts from when the hub received the last file.
     */
    static String state(String kind, boolean delivered, boolean late, boolean pullable) {
        if ("api".equals(kind) && !pullable) {
            return "not_pulled";
        }
        boolean delivers = Cadence.EXPECTS_DELIVERIES.contains(kind);
        if (!delivered && delivers) {
            return "never_delivered";
        }
        return late ? "late" : (delivers ? "on_time" : null);
    }

    /** GET /api/feeds: every feed with its last delivery, counts, match rate, open exceptions and lateness. */
    public void feeds(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        List<Map<String, Object>> feeds = FeedTable.overview(dataSource);
        for (Map<String, Object> f : feeds) {
            // lateness is the view's, against the late_after that feeds.Cadence gives each feed
            Number due = (Number) f.remove("due_epoch");
            Object late = f.remove("overdue");
            if (due != null) {
                f.put("due_by", Instant.ofEpochSecond(due.longValue()).toString());
            }
            f.put("late", late);
            f.put("state", state((String) f.get("kind"), f.get("last_source") != null, Boolean.TRUE.equals(late),
                    pullable.test((String) f.get("feed"))));
        }
        Web.json(ex, Map.of("feeds", feeds));
    }

    /** GET /api/feeds/{feed}/deliveries: the feed's deliveries, newest first. */
    public void deliveries(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        String feed = ex.getIn().getHeader("feed", String.class);
        Web.json(ex, Map.of("deliveries", Deliveries.ofFeed(dataSource, feed)));
    }

    /** GET /api/deliveries/{id}: lineage of one delivery: its rows, what became of each, rejections. */
    public void delivery(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        Map<String, Object> out = Deliveries.lineage(dataSource, id);
        if (out == null) {
            throw ApiException.notFound();
        }
        Web.json(ex, out);
    }

    /** GET /api/deliveries/{id}/rejected.csv: the delivery's rejected rows with field and reason, as CSV. */
    public void rejectedCsv(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        Map<String, Object> d = Deliveries.archived(dataSource, id);
        if (d == null) {
            throw ApiException.notFound();
        }
        org.credentialhub.support.CsvOut csv = new org.credentialhub.support.CsvOut().row("row", "field", "reason");
        for (Map<String, Object> r : Deliveries.rejections(dataSource, id)) {
            csv.row(r.values());
        }
        Web.csv(ex, csv.toString(), "delivery-" + id + "-rejected-rows.csv");
    }

    /** GET /api/quarantine: quarantined deliveries with their reasons. */
    public void quarantine(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Web.json(ex, Map.of("deliveries", Deliveries.quarantined(dataSource)));
    }

    /**
     * POST /api/deliveries/{id}/reprocess: takes a quarantined delivery's archived file through intake
     * again (after its mapping or the feed was fixed). The new outcome is a new delivery.
     */
    public void reprocess(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        Map<String, Object> d = Deliveries.archived(dataSource, id);
        if (d == null) {
            throw ApiException.notFound();
        }
        if (!"quarantined".equals(d.get("status"))) {
            throw ApiException.badRequest("only quarantined deliveries are re-processed");
        }
        try (Connection c = dataSource.getConnection()) {
            Audit.record(c, a, "reprocess", "delivery", String.valueOf(id), null, Map.of("status", "quarantined"), null);
        }
        ProducerTemplate template = ex.getContext().createProducerTemplate();
        try {
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("hubFeed", d.get("feed_code"));
            headers.put(Exchange.FILE_NAME_ONLY, d.get("source_name"));
            headers.put("hubContentSha256", d.get("content_sha256"));
            Exchange done = template.request("direct:reprocess", e -> e.getIn().setHeaders(headers));
            if (done.getException() != null) {
                throw new IllegalStateException(done.getException());
            }
            Object newId = done.getMessage().getHeader("hubDeliveryId");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("delivery", newId);
            out.put("status", String.valueOf(done.getMessage().getHeader("hubDeliveryStatus")));
            Map<String, Object> now = Deliveries.archived(dataSource, Web.parseLong(String.valueOf(newId)));
            if (now != null) {
                out.put("status", now.get("status"));
                out.put("reason", now.get("reason"));
            }
            Web.json(ex, out);
        } finally {
            try {
                template.stop();
            } catch (Exception ignored) {
                // nothing to release
            }
        }
    }

    /** GET /api/status: database, SFTP server, routes, scheduler and the last reporting loads. */
    public void status(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Map<String, Object> out = new LinkedHashMap<>(health.report(ex.getContext()));
        List<Map<String, Object>> schedules = new ArrayList<>();
        try {
            org.quartz.Scheduler scheduler = ex.getContext().getComponent("quartz",
                    org.apache.camel.component.quartz.QuartzComponent.class).getScheduler();
            for (String group : scheduler.getTriggerGroupNames()) {
                for (org.quartz.TriggerKey key : scheduler.getTriggerKeys(org.quartz.impl.matchers.GroupMatcher.triggerGroupEquals(group))) {
                    org.quartz.Trigger t = scheduler.getTrigger(key);
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("job", key.toString());
                    s.put("next", t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant().toString());
                    s.put("previous", t.getPreviousFireTime() == null ? null : t.getPreviousFireTime().toInstant().toString());
                    s.put("state", scheduler.getTriggerState(key).name());
                    schedules.add(s);
                }
            }
            out.put("scheduler", Map.of("running", scheduler.isStarted() && !scheduler.isInStandbyMode(),
                    "clustered", scheduler.getMetaData().isJobStoreClustered(), "triggers", schedules));
        } catch (org.quartz.SchedulerException e) {
            out.put("scheduler", Map.of("running", false, "error", e.getClass().getSimpleName()));
        }
        out.put("loads", reporting.recentLoads(10));
        Web.json(ex, out);
    }

    /** POST /api/reporting/load: runs a reporting load now (ops). */
    public void loadNow(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, Role.OPS);
        int rows = reporting.load("console:" + a.username());
        Web.json(ex, Map.of("rows", rows));
    }

    /** GET /api/charts/match-rate: per feed and week, the share of results matched. */
    public void matchRateChart(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Web.json(ex, Map.of("series", Deliveries.matchRateByWeek(dataSource)));
    }

    /** GET /api/charts/exceptions-by-district: open exceptions per district and kind. */
    public void exceptionsChart(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Web.json(ex, Map.of("bars", queue.openByDistrict()));
    }

    /** GET /api/charts/attainment-by-district: earned credentials per district from the last reporting load. */
    public void attainmentChart(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        Web.json(ex, Map.of("bars", reporting.earnedByDistrict()));
    }
}
