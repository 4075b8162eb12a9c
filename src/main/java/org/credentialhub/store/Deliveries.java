package org.credentialhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The delivery record every intake (files, API pages, SIS bundles, district uploads) starts with. */
public final class Deliveries {
    private Deliveries() {
    }

    /**
     * Records a delivery in the caller's transaction; a delivery in any status but {@code processing} or
     * {@code received} is recorded as processed now. Returns its id.
     */
    public static long insert(Connection c, String feed, String name, String sha256, long size, String status,
                              String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into delivery (feed_code, source_name, content_sha256, size_bytes, status, reason, processed_at)
                values (?, ?, ?, ?, ?, ?, case when ? in ('processing', 'received') then null else now() end)
                returning delivery_id""")) {
            ps.setString(1, feed);
            ps.setString(2, name);
            ps.setString(3, sha256);
            ps.setLong(4, size);
            ps.setString(5, status);
            ps.setString(6, reason);
            ps.setString(7, status);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Records a delivery whose content the hub already took as delivery {@code earlier}: status
     * {@code duplicate}, {@code duplicate_of} set, and the reason the feed intakes give. Returns its id.
     */
    public static long insertDuplicate(Connection c, String feed, String name, String sha256, long size, long earlier)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into delivery (feed_code, source_name, content_sha256, size_bytes, status, duplicate_of,
                                      processed_at, reason)
                select ?, ?, ?, ?, 'duplicate', d.delivery_id, now(),
                       'same content as ' || d.source_name || ' received ' || to_char(d.received_at, 'YYYY-MM-DD HH24:MI')
                from delivery d where d.delivery_id = ?
                returning delivery_id""")) {
            ps.setString(1, feed);
            ps.setString(2, name);
            ps.setString(3, sha256);
            ps.setLong(4, size);
            ps.setLong(5, earlier);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
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
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                // one pickup of a feed at a time decides "new or duplicate" (two nodes, one content)
                try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtext('delivery:' || ?))")) {
                    ps.setString(1, feed);
                    ps.execute();
                }
                Long id = pickupRef == null ? null : ofPickup(c, feed, pickupRef);
                if (id == null) {
                    Long earlier = earlierWithContent(c, feed, sha256);
                    id = earlier != null ? insertDuplicate(c, feed, name, sha256, size, earlier)
                            : insert(c, feed, name, sha256, size, "received", null);
                    setPickup(c, id, pickupRef);
                }
                c.commit();
                return step(c, id);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
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
        try (PreparedStatement ps = c.prepareStatement("""
                select feed_code, status, processed_at is not null, acknowledged_at is not null, source_name, content_sha256
                from delivery where delivery_id = ?""")) {
            ps.setLong(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no delivery " + deliveryId);
                }
                return new Step(deliveryId, rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                        rs.getString(5), rs.getString(6));
            }
        }
    }

    /**
     * Takes the lease on an unfinished delivery for {@code owner} (a node): true unless another node holds a
     * lease that has not run out, or the delivery is finished.
     */
    public static boolean claim(javax.sql.DataSource ds, long deliveryId, String owner, int leaseSeconds) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update delivery set claimed_by = ?, claimed_until = now() + make_interval(secs => ?)
                     where delivery_id = ? and acknowledged_at is null
                       and (claimed_by is null or claimed_by = ? or claimed_until < now())""")) {
            ps.setString(1, owner);
            ps.setInt(2, leaseSeconds);
            ps.setLong(3, deliveryId);
            ps.setString(4, owner);
            return ps.executeUpdate() == 1;
        }
    }

    /** Lets go of every lease {@code owner} holds (a node that starts holds none yet). */
    public static int releaseAll(javax.sql.DataSource ds, String owner) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update delivery set claimed_by = null, claimed_until = null where claimed_by = ?")) {
            ps.setString(1, owner);
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
        java.util.List<Long> ids = new java.util.ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select d.delivery_id from delivery d join feed f using (feed_code)
                     where d.acknowledged_at is null and d.pickup_ref is not null and d.attempts < ?
                       and (d.claimed_until is null or d.claimed_until < now()) and f.kind <> 'sis'
                     order by d.delivery_id""")) {
            ps.setInt(1, maxAttempts);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
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
}
