package org.credentialhub.web;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Audit;
import org.credentialhub.accounts.Role;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.credentialhub.web.Web.query;

/** The operations console: feeds and their lateness, deliveries and lineage, quarantine, system state, charts. */
public final class OpsApi {
    private final DataSource dataSource;
    private final Health health;
    private final org.credentialhub.reporting.ReportingLoad reporting;
    /** Whether an API feed can be pulled (its secret is configured). */
    private final java.util.function.Predicate<String> pullable;

    public OpsApi(DataSource dataSource, Health health, org.credentialhub.reporting.ReportingLoad reporting,
                  java.util.function.Predicate<String> pullable) {
        this.dataSource = dataSource;
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
        if (!delivered && "sftp,api".contains(kind)) {
            return "never_delivered";
        }
        return late ? "late" : ("sftp,api".contains(kind) ? "on_time" : null);
    }

    /** How long a feed may go without a delivery before it is late, from its configured cadence. */
    static Duration allowance(String cadence) {
        if (cadence == null || cadence.isBlank()) {
            return null;
        }
        Duration base = switch (cadence.trim().toLowerCase()) {
            case "hourly" -> Duration.ofHours(1);
            case "daily" -> Duration.ofDays(1);
            case "weekdays" -> Duration.ofDays(3);
            case "weekly" -> Duration.ofDays(7);
            case "monthly" -> Duration.ofDays(31);
            default -> {
                try {
                    yield Duration.parse(cadence.trim());
                } catch (java.time.format.DateTimeParseException e) {
                    yield null;
                }
            }
        };
        return base == null ? null : base.plus(base.dividedBy(4));
    }

    /** GET /api/feeds: every feed with its last delivery, counts, match rate, open exceptions and lateness. */
    public void feeds(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        try (Connection c = dataSource.getConnection()) {
            List<Map<String, Object>> feeds = query(c, """
                    select f.feed_code as feed, f.kind, f.layout, f.description, f.expected_cadence as cadence,
                           f.updated_at::text as configured,
                           last.source_name as last_source,
                           extract(epoch from coalesce(last.received_at, f.updated_at))::bigint as since_epoch,
                           last.received_at::text as last_received, last.status as last_status,
                           coalesce(agg.deliveries, 0) as deliveries,
                           coalesce(agg.rows_accepted, 0) as rows_accepted,
                           coalesce(agg.rows_rejected, 0) as rows_rejected,
                           coalesce(agg.quarantined, 0) as quarantined,
                           coalesce(agg.duplicates, 0) as duplicates,
                           res.results, res.matched,
                           case when res.results > 0 then round(100.0 * res.matched / res.results, 1) end as match_rate,
                           coalesce(exc.open, 0) as open_exceptions
                    from feed f
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
            Instant now = Instant.now();
            for (Map<String, Object> f : feeds) {
                Duration allowed = allowance((String) f.get("cadence"));
                Instant since = Instant.ofEpochSecond(((Number) f.remove("since_epoch")).longValue());
                boolean late = false;
                if (allowed != null && "sftp,api".contains((String) f.get("kind"))) {
                    Instant due = since.plus(allowed);
                    late = due.isBefore(now);
                    f.put("due_by", due.toString());
                }
                f.put("late", late);
                f.put("state", state((String) f.get("kind"), f.get("last_source") != null, late,
                        pullable.test((String) f.get("feed"))));
            }
            Web.json(ex, Map.of("feeds", feeds));
        }
    }

    /** GET /api/feeds/{feed}/deliveries: the feed's deliveries, newest first. */
    public void deliveries(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        String feed = ex.getIn().getHeader("feed", String.class);
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("deliveries", query(c, """
                    select delivery_id as id, source_name as source, status, received_at::text as received,
                           processed_at::text as processed, rows_read, rows_accepted, rows_rejected, reason,
                           duplicate_of, size_bytes
                    from delivery where feed_code = ? order by received_at desc limit 500""", List.of(feed))));
        }
    }

    /** GET /api/deliveries/{id}: lineage of one delivery: its rows, what became of each, rejections. */
    public void delivery(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        try (Connection c = dataSource.getConnection()) {
            List<Map<String, Object>> d = query(c, """
                    select delivery_id as id, feed_code as feed, source_name as source, content_sha256 as sha256, status,
                           received_at::text as received, processed_at::text as processed, rows_read, rows_accepted,
                           rows_rejected, reason, duplicate_of from delivery where delivery_id = ?""", List.of(id));
            if (d.isEmpty()) {
                throw ApiException.notFound();
            }
            Map<String, Object> out = d.get(0);
            out.put("rows", query(c, """
                    select l.source_row as row, r.result_id as result, r.exam_code, r.credential_code as credential,
                           r.passed, r.status, r.match_decision, r.match_tier,
                           (select string_agg(e.kind || ':' || e.status, ',') from result_exception e
                             where e.result_id = r.result_id) as exceptions,
                           (r.delivery_id <> l.delivery_id) as superseded
                    from result_lineage l join result r using (result_id)
                    where l.delivery_id = ? order by l.source_row limit 10000""", List.of(id)));
            out.put("rejections", query(c, """
                    select row_number as row, field, reason from delivery_rejection where delivery_id = ?
                    order by row_number, field limit 10000""", List.of(id)));
            Web.json(ex, out);
        }
    }

    /** GET /api/quarantine: quarantined deliveries with their reasons. */
    public void quarantine(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("deliveries", query(c, """
                    select d.delivery_id as id, d.feed_code as feed, d.source_name as source, d.reason,
                           d.received_at::text as received,
                           exists (select 1 from delivery x where x.feed_code = d.feed_code
                                     and x.content_sha256 = d.content_sha256 and x.delivery_id > d.delivery_id
                                     and x.status in ('accepted', 'accepted_with_rejections')) as reprocessed,
                           later.delivery_id as reprocessed_as, later.status as reprocessed_status,
                           fix.after ->> 'file' as corrected_file, fix.at::text as corrected_at
                    from delivery d
                    left join lateral (select x.delivery_id, x.status from delivery x
                                       where x.feed_code = d.feed_code and x.content_sha256 = d.content_sha256
                                         and x.delivery_id > d.delivery_id order by x.delivery_id limit 1) later on true
                    left join lateral (select a.after, a.at from audit_log a where a.action = 'upload-corrected'
                                         and a.object_type = 'delivery' and a.object_id = d.delivery_id::text
                                       order by a.at desc limit 1) fix on true
                    where d.status = 'quarantined' order by d.received_at desc limit 500""", List.of())));
        }
    }

    /**
     * POST /api/deliveries/{id}/reprocess: takes a quarantined delivery's archived file through intake
     * again (after its mapping or the feed was fixed). The new outcome is a new delivery.
     */
    public void reprocess(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, Role.OPS);
        long id = Web.parseLong(ex.getIn().getHeader("id", String.class));
        List<Map<String, Object>> d;
        try (Connection c = dataSource.getConnection()) {
            d = query(c, "select feed_code, source_name, content_sha256, status from delivery where delivery_id = ?", List.of(id));
            if (d.isEmpty()) {
                throw ApiException.notFound();
            }
            if (!"quarantined".equals(d.get(0).get("status"))) {
                throw ApiException.badRequest("only quarantined deliveries are re-processed");
            }
            Audit.record(c, a, "reprocess", "delivery", String.valueOf(id), null, Map.of("status", "quarantined"), null);
        }
        ProducerTemplate template = ex.getContext().createProducerTemplate();
        try {
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("hubFeed", d.get(0).get("feed_code"));
            headers.put(Exchange.FILE_NAME_ONLY, d.get(0).get("source_name"));
            headers.put("hubContentSha256", d.get(0).get("content_sha256"));
            Exchange done = template.request("direct:reprocess", e -> e.getIn().setHeaders(headers));
            if (done.getException() != null) {
                throw new IllegalStateException(done.getException());
            }
            Object newId = done.getMessage().getHeader("hubDeliveryId");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("delivery", newId);
            out.put("status", String.valueOf(done.getMessage().getHeader("hubDeliveryStatus")));
            try (Connection c = dataSource.getConnection()) {
                List<Map<String, Object>> now = query(c, "select status, reason from delivery where delivery_id = ?",
                        List.of(Web.parseLong(String.valueOf(newId))));
                if (!now.isEmpty()) {
                    out.put("status", now.get(0).get("status"));
                    out.put("reason", now.get(0).get("reason"));
                }
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
        try (Connection c = dataSource.getConnection()) {
            out.put("loads", query(c, """
                    select load_id as id, trigger, status, started_at::text as started, finished_at::text as finished,
                           rows_written from rpt.load_run order by load_id desc limit 10""", List.of()));
        }
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
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("series", query(c, """
                    select r.feed_code as feed, to_char(date_trunc('week', d.received_at), 'YYYY-MM-DD') as week,
                           count(*) as results, count(*) filter (where r.match_decision = 'match') as matched,
                           round(100.0 * count(*) filter (where r.match_decision = 'match') / count(*), 1) as rate
                    from result r join delivery d on d.delivery_id = r.delivery_id
                    group by 1, 2 order by 1, 2""", List.of())));
        }
    }

    /** GET /api/charts/exceptions-by-district: open exceptions per district and kind. */
    public void exceptionsChart(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("bars", query(c, """
                    select coalesce(e.district_code, 'state') as district, coalesce(d.name, 'No district known') as name,
                           e.kind, count(*) as open
                    from result_exception e left join district d using (district_code)
                    where e.status in ('open', 'deferred') group by 1, 2, 3 order by 1, 3""", List.of())));
        }
    }

    /** GET /api/charts/attainment-by-district: earned credentials per district from the last reporting load. */
    public void attainmentChart(Exchange ex) throws SQLException {
        Web.caller(ex, Role.OPS);
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("bars", query(c, """
                    select r.school_year, r.district_code as district, coalesce(d.name, r.district_code) as name,
                           sum(r.earned) as earned
                    from rpt.earned_by_district_credential r left join district d using (district_code)
                    group by 1, 2, 3 order by 1, 2""", List.of())));
        }
    }
}
