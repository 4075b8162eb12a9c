package org.credentialhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The delivery record every intake (files, API pages, SIS bundles, district uploads) starts with. */
public final class Deliveries {
    private Deliveries() {
    }

    // What the operations console reads (GET /api/feeds/{feed}/deliveries, /api/deliveries/{id}, /api/quarantine,
    // /api/charts/match-rate), as rows for the JSON API.

    /** A feed's deliveries, newest first (at most 500). */
    public static List<Map<String, Object>> ofFeed(DataSource ds, String feed) throws SQLException {
        return Rows.list(ds, """
                select delivery_id as id, source_name as source, status, received_at::text as received,
                       processed_at::text as processed, rows_read, rows_accepted, rows_rejected, reason,
                       duplicate_of, size_bytes
                from delivery where feed_code = ? order by received_at desc limit 500""", List.of(feed));
    }

    /** A delivery's lineage: itself, its rows and what became of each, its rejections; null when there is none. */
    public static Map<String, Object> lineage(DataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            List<Map<String, Object>> d = Rows.list(c, """
                    select delivery_id as id, feed_code as feed, source_name as source, content_sha256 as sha256, status,
                           received_at::text as received, processed_at::text as processed, rows_read, rows_accepted,
                           rows_rejected, reason, duplicate_of from delivery where delivery_id = ?""", List.of(id));
            if (d.isEmpty()) {
                return null;
            }
            Map<String, Object> out = d.get(0);
            // the import summary: rows accepted and rejected (above), and of the results the rows made or touched,
            // how many were matched to a student and how many wait for a person (an open or deferred exception)
            out.put("summary", Rows.list(c, """
                    select count(distinct r.result_id) as results,
                           count(distinct r.result_id) filter (where r.match_decision = 'match') as matched,
                           count(distinct r.result_id) filter (where exists (select 1 from result_exception e
                               where e.result_id = r.result_id and e.status <> 'resolved')) as to_review
                    from result_lineage l join result r using (result_id) where l.delivery_id = ?""", List.of(id)).get(0));
            out.put("rows", Rows.list(c, """
                    select l.source_row as row, r.result_id as result, r.exam_code, r.credential_code as credential,
                           r.passed, r.status, r.match_decision, r.match_tier,
                           (select string_agg(e.kind || ':' || e.status, ',') from result_exception e
                             where e.result_id = r.result_id) as exceptions,
                           (r.delivery_id <> l.delivery_id) as superseded
                    from result_lineage l join result r using (result_id)
                    where l.delivery_id = ? order by l.source_row limit 10000""", List.of(id)));
            out.put("rejections", Rows.list(c, """
                    select row_number as row, field, reason from delivery_rejection where delivery_id = ?
                    order by row_number, field limit 10000""", List.of(id)));
            return out;
        }
    }

    /** Every rejected row of a delivery with its field and reason (the reasons name no personal data). */
    public static List<Map<String, Object>> rejections(DataSource ds, long id) throws SQLException {
        return Rows.list(ds, """
                select row_number as row, field, reason from delivery_rejection where delivery_id = ?
                order by row_number, field""", List.of(id));
    }

    /** Quarantined deliveries, newest first, each saying whether the same content was accepted since. */
    public static List<Map<String, Object>> quarantined(DataSource ds) throws SQLException {
        return Rows.list(ds, """
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
                where d.status = 'quarantined' order by d.received_at desc limit 500""", List.of());
    }

    /**
     * One delivery as re-processing and its outcome need it: feed_code, source_name, content_sha256 (its archived
     * file), status, reason; null when there is none.
     */
    public static Map<String, Object> archived(DataSource ds, long id) throws SQLException {
        List<Map<String, Object>> d = Rows.list(ds, """
                select feed_code, source_name, content_sha256, status, reason from delivery
                where delivery_id = ?""", List.of(id));
        return d.isEmpty() ? null : d.get(0);
    }

    /** Per feed and week of delivery, the share of results matched. */
    public static List<Map<String, Object>> matchRateByWeek(DataSource ds) throws SQLException {
        return Rows.list(ds, """
                select r.feed_code as feed, to_char(date_trunc('week', d.received_at), 'YYYY-MM-DD') as week,
                       count(*) as results, count(*) filter (where r.match_decision = 'match') as matched,
                       round(100.0 * count(*) filter (where r.match_decision = 'match') / count(*), 1) as rate
                from result r join delivery d on d.delivery_id = r.delivery_id
                group by 1, 2 order by 1, 2""", List.of());
    }

    /**
     * The delivery gauges of the hub's metrics (name|tags to value): deliveries by feed and status, rows
     * accepted and rejected, deliveries not yet acknowledged, each feed's last delivery, results by decision.
     */
    public static void gauges(Connection c, Map<String, Double> into) throws SQLException {
        Rows.gauges(c, """
                select 'hub_deliveries', 'feed=' || feed_code || ',status=' || status, count(*)::float8
                  from delivery group by feed_code, status
                union all select 'hub_rows', 'feed=' || feed_code || ',outcome=accepted', sum(rows_accepted)::float8
                  from delivery group by feed_code
                union all select 'hub_rows', 'feed=' || feed_code || ',outcome=rejected', sum(rows_rejected)::float8
                  from delivery group by feed_code
                union all select 'hub_results', 'feed=' || feed_code || ',decision=' || coalesce(match_decision, 'pending'),
                  count(*)::float8 from result group by feed_code, match_decision
                union all select 'hub_deliveries_unfinished', '', count(*)::float8
                  from delivery where acknowledged_at is null and pickup_ref is not null
                union all select 'hub_feed_last_delivery_seconds', 'feed=' || feed_code,
                  extract(epoch from max(received_at))::float8 from delivery group by feed_code""", into);
    }

    /**
     * Records a delivery in the caller's transaction; a delivery in any status but {@code processing} or
     * {@code received} is recorded as processed now. Returns its id.
     */
    public static long insert(Connection c, String feed, String name, String sha256, long size, String status,
                              String reason) throws SQLException {
        return Rows.returningLong(c, """
                insert into delivery (feed_code, source_name, content_sha256, size_bytes, status, reason, processed_at)
                values (?, ?, ?, ?, ?, ?, case when ? in ('processing', 'received') then null else now() end)
                returning delivery_id""", feed, name, sha256, size, status, reason, status);
    }

    /**
     * Records a delivery whose content the hub already took as delivery {@code earlier}: status
     * {@code duplicate}, {@code duplicate_of} set, and the reason the feed intakes give. Returns its id.
     */
    public static long insertDuplicate(Connection c, String feed, String name, String sha256, long size, long earlier)
            throws SQLException {
        return insertTaken(c, feed, name, sha256, size, earlier, null, null, 0).id();
    }

    /**
     * Marks a delivery (in the caller's transaction) as the one of a file taken from an inbox with this pickup
     * reference, and not yet acknowledged; nothing when {@code pickupRef} is null.
     */
    public static void setPickup(Connection c, long deliveryId, String pickupRef) throws SQLException {
        if (pickupRef == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "update delivery set pickup_ref = ?, acknowledged_at = null where delivery_id = ?")) {
            ps.setString(1, pickupRef);
            ps.setLong(2, deliveryId);
            ps.executeUpdate();
        }
    }

    /** The delivery made for a pickup of the feed, or null. */
    public static Long ofPickup(Connection c, String feed, String pickupRef) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select delivery_id from delivery where feed_code = ? and pickup_ref = ?")) {
            ps.setString(1, feed);
            ps.setString(2, pickupRef);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** A delivery as the steps after pickup see it. */
    public record Step(long id, String feed, String status, boolean processed, boolean acknowledged, String sourceName,
                       String sha256) {
        /** What is left to do: {@code stage}, {@code match}, {@code acknowledge} or {@code none}. */
        public String next() {
            if (acknowledged) {
                return "none";
            }
            if ("received".equals(status)) {
                return "stage";
            }
            if (!processed && ("accepted".equals(status) || "accepted_with_rejections".equals(status) || "rejected".equals(status))) {
                return "match";
            }
            return "acknowledge";
        }
    }

    /**
     * Records a file taken from an inbox (in its own transaction): the delivery already made for the same
     * pickup (a file found again in its pickup folder after a crash), else a duplicate of the feed's earlier
     * delivery of the same content, else a new delivery in status {@code received}.
     */
    public static Step receive(javax.sql.DataSource ds, String feed, String name, String sha256, long size,
                               String pickupRef) throws SQLException {
        return receive(ds, feed, name, sha256, size, pickupRef, null, 0).step();
    }

    /** A received delivery's state, and whether it was made now and leased to the receiving work ({@link #receive}). */
    public record Received(Step step, boolean leased) {
    }

    /**
     * As {@link #receive(javax.sql.DataSource, String, String, String, long, String)}, a new delivery leased to
     * {@code holder}; its state is read in the same transaction.
     */
    public static Received receive(javax.sql.DataSource ds, String feed, String name, String sha256, long size,
                                   String pickupRef, String holder, int leaseSeconds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                // one pickup of a feed at a time decides "new or duplicate" (two nodes, one content)
                try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtext('delivery:' || ?))")) {
                    ps.setString(1, feed);
                    ps.execute();
                }
                // the delivery made for this pickup, and the feed's earlier delivery of this content, in one query;
                // a new delivery is then written with its pickup and its lease and read back by its insert (the
                // lock, one read, one write and the commit: four round trips a file where there were eight, each
                // waiting for a core on a busy machine: docs/performance.md, session 63)
                Long id;
                Long earlier;
                try (PreparedStatement ps = c.prepareStatement("""
                        select (select delivery_id from delivery where feed_code = ? and pickup_ref = ?),
                               (select delivery_id from delivery
                                where feed_code = ? and content_sha256 = ? and status <> 'duplicate'
                                order by delivery_id limit 1)""")) {
                    ps.setString(1, feed);
                    ps.setString(2, pickupRef);
                    ps.setString(3, feed);
                    ps.setString(4, sha256);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        long picked = rs.getLong(1);
                        id = rs.wasNull() ? null : picked;
                        long first = rs.getLong(2);
                        earlier = rs.wasNull() ? null : first;
                    }
                }
                if (id != null) {
                    // read before the commit: read after it, it began a transaction of its own that the pool then
                    // rolled back (two more round trips a file)
                    Step step = step(c, id);
                    c.commit();
                    return new Received(step, false);
                }
                Step step = insertTaken(c, feed, name, sha256, size, earlier, pickupRef, holder, leaseSeconds);
                c.commit();
                return new Received(step, holder != null);
            } catch (SQLException | RuntimeException e) {
                Rollback.after(c, e);
                throw e;
            }
        }
    }

    /** What {@link #step} reads of a delivery (a select's columns, or what an insert returns). */
    private static final String STEP_COLUMNS = "delivery_id, feed_code, status, processed_at is not null, "
            + "acknowledged_at is not null, source_name, content_sha256";

    /**
     * Records a file taken from an inbox: a new delivery ({@code earlier} null: status {@code received}) or a duplicate
     * of {@code earlier}, with its pickup ({@link #setPickup}; none when null) and, when {@code holder} is given, its
     * lease ({@link #lease}); returns its state as {@link #step} reads it. The one insert of a duplicate
     * ({@link #insertDuplicate} is this one without pickup or lease).
     */
    private static Step insertTaken(Connection c, String feed, String name, String sha256, long size, Long earlier,
                                    String pickupRef, String holder, int leaseSeconds) throws SQLException {
        String lease = "case when ?::text is null then null else now() + make_interval(secs => ?) end";
        String sql = earlier == null ? """
                insert into delivery (feed_code, source_name, content_sha256, size_bytes, status, pickup_ref, claimed_by,
                                      claimed_until)
                values (?, ?, ?, ?, 'received', ?, ?, %s)
                returning %s""".formatted(lease, STEP_COLUMNS) : """
                insert into delivery (feed_code, source_name, content_sha256, size_bytes, status, duplicate_of,
                                      processed_at, reason, pickup_ref, claimed_by, claimed_until)
                select ?, ?, ?, ?, 'duplicate', d.delivery_id, now(),
                       'same content as ' || d.source_name || ' received ' || to_char(d.received_at, 'YYYY-MM-DD HH24:MI'),
                       ?, ?, %s
                from delivery d where d.delivery_id = ?
                returning %s""".formatted(lease, STEP_COLUMNS);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, feed);
            ps.setString(2, name);
            ps.setString(3, sha256);
            ps.setLong(4, size);
            ps.setString(5, pickupRef);
            ps.setString(6, holder);
            ps.setString(7, holder);
            ps.setInt(8, leaseSeconds);
            if (earlier != null) {
                ps.setLong(9, earlier);
            }
            return step(ps, earlier);
        }
    }

    /** The feed's earliest delivery (not itself a duplicate) with this content, or null. */
    public static Long earlierWithContent(Connection c, String feed, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select delivery_id from delivery
                where feed_code = ? and content_sha256 = ? and status <> 'duplicate'
                order by delivery_id limit 1""")) {
            ps.setString(1, feed);
            ps.setString(2, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    public static Step step(Connection c, long deliveryId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + STEP_COLUMNS + " from delivery where delivery_id = ?")) {
            ps.setLong(1, deliveryId);
            return step(ps, deliveryId);
        }
    }

    /** The delivery's {@link #STEP_COLUMNS} that {@code ps} (a select, or an insert returning them) gives. */
    private static Step step(PreparedStatement ps, Object which) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no delivery " + which);
            }
            return new Step(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5),
                    rs.getString(6), rs.getString(7));
        }
    }

    /**
     * Takes the lease on an unfinished delivery for {@code holder} ({@code <node>/<work>}: one piece of work on
     * one node): true unless someone else holds a lease that has not run out, or the delivery is finished.
     */
    public static boolean claim(javax.sql.DataSource ds, long deliveryId, String holder, int leaseSeconds) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update delivery set claimed_by = ?, claimed_until = now() + make_interval(secs => ?)
                     where delivery_id = ? and acknowledged_at is null
                       and (claimed_by is null or claimed_by = ? or claimed_until < now())""")) {
            ps.setString(1, holder);
            ps.setInt(2, leaseSeconds);
            ps.setLong(3, deliveryId);
            ps.setString(4, holder);
            return ps.executeUpdate() == 1;
        }
    }

    /** Leases a delivery to {@code holder} in the caller's transaction (work that just made it). */
    public static void lease(Connection c, long deliveryId, String holder, int leaseSeconds) throws SQLException {
        Rows.update(c, """
                update delivery set claimed_by = ?, claimed_until = now() + make_interval(secs => ?)
                where delivery_id = ?""", holder, leaseSeconds, deliveryId);
    }

    /** Lets go of every lease a node holds (a node that starts holds none yet). */
    public static int releaseAll(javax.sql.DataSource ds, String node) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update delivery set claimed_by = null, claimed_until = null where starts_with(claimed_by, ?)")) {
            ps.setString(1, node + "/");
            return ps.executeUpdate();
        }
    }

    /** The last step: the acknowledgement is in the vendor's outbox. */
    public static void acknowledged(javax.sql.DataSource ds, long deliveryId) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update delivery set acknowledged_at = now(), claimed_by = null, claimed_until = null,
                            processed_at = coalesce(processed_at, now())
                     where delivery_id = ?""")) {
            ps.setLong(1, deliveryId);
            ps.executeUpdate();
        }
    }

    /** A received delivery whose file could not be staged: quarantined, nothing of it applied. */
    public static void quarantine(javax.sql.DataSource ds, long deliveryId, String reason) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update delivery set status = 'quarantined', reason = ?, processed_at = now(),
                            attempts = attempts + 1, last_error = ?
                     where delivery_id = ? and status = 'received'""")) {
            ps.setString(1, reason);
            ps.setString(2, reason);
            ps.setLong(3, deliveryId);
            ps.executeUpdate();
        }
    }

    /** A step after staging failed: recorded, the lease let go, so that recovery tries again later. */
    public static void failedStep(javax.sql.DataSource ds, long deliveryId, String error) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update delivery set attempts = attempts + 1, last_error = ?, claimed_by = null, claimed_until = null
                     where delivery_id = ?""")) {
            ps.setString(1, error);
            ps.setLong(2, deliveryId);
            ps.executeUpdate();
        }
    }

    /**
     * Deliveries taken from an inbox that are not acknowledged and that no live lease holds, oldest first,
     * tried fewer than {@code maxAttempts} times.
     */
    public static java.util.List<Long> unfinished(javax.sql.DataSource ds, int maxAttempts) throws SQLException {
        return ids(ds, """
                select d.delivery_id from delivery d join feed f using (feed_code)
                where d.acknowledged_at is null and d.pickup_ref is not null and d.attempts < ?
                  and (d.claimed_until is null or d.claimed_until < now()) and f.kind <> 'sis'
                order by d.delivery_id""", maxAttempts);
    }

    /**
     * A feed's deliveries staged outside an inbox (no pickup: a district upload) and not processed, that no live
     * lease holds, tried fewer than {@code maxAttempts} times, oldest first.
     */
    public static java.util.List<Long> unfinishedStaged(javax.sql.DataSource ds, String feed, int maxAttempts)
            throws SQLException {
        return ids(ds, """
                select delivery_id from delivery
                where feed_code = ? and pickup_ref is null and processed_at is null and acknowledged_at is null
                  and status in ('accepted', 'accepted_with_rejections', 'rejected') and attempts < ?
                  and (claimed_until is null or claimed_until < now())
                order by delivery_id""", feed, maxAttempts);
    }

    /** The delivery ids a query lists, in its order. */
    private static java.util.List<Long> ids(javax.sql.DataSource ds, String sql, Object... params) throws SQLException {
        return Rows.list(ds, sql, List.of(params)).stream().map(r -> ((Number) r.get("delivery_id")).longValue()).toList();
    }

    /**
     * The name of a delivery's acknowledgement in the vendor's outbox: {@code <file>.ack.json} for the feed's
     * first delivery of that file name, {@code <file>.<delivery>.ack.json} for every later one, so that no
     * acknowledgement ever replaces another.
     */
    public static String acknowledgementName(Connection c, long deliveryId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select d.source_name, exists (select 1 from delivery e where e.feed_code = d.feed_code
                       and e.source_name = d.source_name and e.delivery_id < d.delivery_id)
                from delivery d where d.delivery_id = ?""")) {
            ps.setLong(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no delivery " + deliveryId);
                }
                return rs.getBoolean(2) ? rs.getString(1) + "." + deliveryId + ".ack.json" : rs.getString(1) + ".ack.json";
            }
        }
    }

    /** A delivery's status and its reason (null: none), as a step of its own sets it (a held SIS bundle taken up again, held again). */
    public static void setStatus(Connection c, long deliveryId, String status, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update delivery set status = ?, reason = ? where delivery_id = ?")) {
            ps.setString(1, status);
            ps.setString(2, reason);
            ps.setLong(3, deliveryId);
            ps.executeUpdate();
        }
    }

    /** A vendor file staged: its row counts, and accepted, rejected (no row accepted) or accepted with rejections. */
    public static void staged(Connection c, long deliveryId, int read, int accepted, int rejected, int held)
            throws SQLException {
        Rows.update(c, """
                update delivery set rows_read = ?, rows_accepted = ?, rows_rejected = ?, rows_held = ?,
                       status = case when ? = 0 then 'accepted' when ? = 0 then 'rejected'
                                     else 'accepted_with_rejections' end
                where delivery_id = ?""", read, accepted, rejected, held, rejected, accepted, deliveryId);
    }

    /** A delivery decided in one step (a SIS bundle): its status, counts and reason, processed now. */
    public static void finish(Connection c, long deliveryId, String status, long read, long accepted, long rejected,
                              String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update delivery set status = ?, rows_read = ?, rows_accepted = ?, rows_rejected = ?, reason = ?,
                       processed_at = now() where delivery_id = ?""")) {
            ps.setString(1, status);
            ps.setLong(2, Math.min(read, Integer.MAX_VALUE));
            ps.setLong(3, Math.min(accepted, Integer.MAX_VALUE));
            ps.setLong(4, Math.min(rejected, Integer.MAX_VALUE));
            ps.setString(5, reason);
            ps.setLong(6, deliveryId);
            ps.executeUpdate();
        }
    }

    /** A staged delivery's results matched: processed now. */
    public static void processed(javax.sql.DataSource ds, long deliveryId) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("update delivery set processed_at = now() where delivery_id = ?")) {
            ps.setLong(1, deliveryId);
            ps.executeUpdate();
        }
    }

    /** A delivery staged outside an inbox is processed, and its lease let go. */
    public static void processedAndReleased(javax.sql.DataSource ds, long deliveryId) throws SQLException {
        try (Connection c = ds.getConnection()) {
            Rows.update(c, """
                    update delivery set processed_at = coalesce(processed_at, now()), claimed_by = null, claimed_until = null
                    where delivery_id = ?""", deliveryId);
        }
    }

    /** A feed's staged deliveries (an API pull's pages not yet matched) and the results they hold. */
    public record Backlog(long deliveries, long rows) {
    }

    /** The feed's backlog: its deliveries not processed yet, and their accepted rows. */
    public static Backlog backlog(javax.sql.DataSource ds, String feed) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select count(*), coalesce(sum(rows_accepted), 0) from delivery
                     where feed_code = ? and processed_at is null""")) {
            ps.setString(1, feed);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Backlog(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    /** Whether a feed has a delivery not yet processed (an API pull's staged pages, or those a failed pull left). */
    public static boolean hasBacklog(javax.sql.DataSource ds, String feed) throws SQLException {
        return backlog(ds, feed).deliveries() > 0;
    }

    /** Every staged delivery of a feed (an API pull's pages, matched as one batch): processed now. */
    public static void processedBacklog(javax.sql.DataSource ds, String feed) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update delivery set processed_at = now() where feed_code = ? and processed_at is null")) {
            ps.setString(1, feed);
            ps.executeUpdate();
        }
    }

    /** A held delivery that operations rejected: rejected and processed now, the reason saying so before the hold's. */
    public static void rejectHeld(Connection c, long deliveryId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update delivery set status = 'rejected', processed_at = now(),
                       reason = 'rejected by operations after being held: ' || coalesce(reason, '')
                where delivery_id = ?""")) {
            ps.setLong(1, deliveryId);
            ps.executeUpdate();
        }
    }

    /** What a delivery's own columns lack of its verdict (a SIS bundle's version and rows per file), as JSON. */
    public static void setVerdictDetail(Connection c, long deliveryId, String json) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update delivery set verdict_detail = ?::jsonb where delivery_id = ?")) {
            ps.setString(1, json);
            ps.setLong(2, deliveryId);
            ps.executeUpdate();
        }
    }
}
