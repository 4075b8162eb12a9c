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
     * Records a delivery in the caller's transaction; a delivery in any status but {@code processing} is
     * recorded as processed now. Returns its id.
     */
    public static long insert(Connection c, String feed, String name, String sha256, long size, String status,
                              String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into delivery (feed_code, source_name, content_sha256, size_bytes, status, reason, processed_at)
                values (?, ?, ?, ?, ?, ?, case when ? = 'processing' then null else now() end)
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
}
