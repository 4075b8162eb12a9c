package org.credentialhub.acknowledge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.camel.Exchange;
import org.credentialhub.intake.Intake;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The acknowledgement a vendor reads back from its outbox for every file: accepted, rejected rows
 * (row number, field, reason) or quarantined (why). It carries no personal data: only the vendor's
 * own file name and row numbers.
 */
public final class Acknowledgements {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final DataSource dataSource;

    public Acknowledgements(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Replaces the body with the acknowledgement of the exchange's delivery, named {@code <file>.ack.json}, or
     * {@code <file>.<delivery>.ack.json} when the feed had a delivery of that name before: one per delivery,
     * none replacing another.
     */
    public void write(Exchange exchange) throws SQLException, java.io.IOException {
        long deliveryId = exchange.getIn().getHeader(Intake.DELIVERY_ID, Long.class);
        Map<String, Object> ack = forDelivery(deliveryId);
        exchange.getIn().setBody(JSON.writeValueAsBytes(ack));
        try (Connection c = dataSource.getConnection()) {
            exchange.getIn().setHeader(Exchange.FILE_NAME, org.credentialhub.store.Deliveries.acknowledgementName(c, deliveryId));
        }
    }

    public Map<String, Object> forDelivery(long deliveryId) throws SQLException {
        Map<String, Object> ack = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    select feed_code, source_name, content_sha256, status, received_at, rows_read, rows_accepted,
                           rows_rejected, rows_held, reason, duplicate_of
                    from delivery where delivery_id = ?""")) {
                ps.setLong(1, deliveryId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("no delivery " + deliveryId);
                    }
                    ack.put("file", rs.getString("source_name"));
                    ack.put("feed", rs.getString("feed_code"));
                    ack.put("delivery", deliveryId);
                    ack.put("sha256", rs.getString("content_sha256"));
                    ack.put("received", rs.getObject("received_at", java.time.OffsetDateTime.class).toString());
                    String status = rs.getString("status");
                    ack.put("status", switch (status) {
                        case "accepted_with_rejections" -> "accepted with rejections";
                        case "duplicate" -> "skipped: duplicate";
                        default -> status;
                    });
                    ack.put("rows_read", rs.getInt("rows_read"));
                    ack.put("rows_accepted", rs.getInt("rows_accepted"));
                    ack.put("rows_rejected", rs.getInt("rows_rejected"));
                    if (rs.getInt("rows_held") > 0) {
                        // rows that name another person or exam than the attempt's version before them (warnings)
                        ack.put("held_for_review", rs.getInt("rows_held"));
                    }
                    if (rs.getString("reason") != null) {
                        ack.put("reason", rs.getString("reason"));
                    }
                    if (rs.getObject("duplicate_of") != null) {
                        ack.put("duplicate_of", rs.getLong("duplicate_of"));
                    }
                }
            }
            List<Map<String, Object>> rejections = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select row_number, field, reason from delivery_rejection where delivery_id = ?
                    order by row_number, field""")) {
                ps.setLong(1, deliveryId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("row", rs.getInt(1));
                        r.put("field", rs.getString(2));
                        r.put("reason", rs.getString(3));
                        rejections.add(r);
                    }
                }
            }
            ack.put("rejections", rejections);
            List<Map<String, Object>> warnings = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select line, field, message from delivery_problem
                    where delivery_id = ? and severity = 'warning' order by seq""")) {
                ps.setLong(1, deliveryId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> w = new LinkedHashMap<>();
                        w.put("row", rs.getInt(1));
                        w.put("field", rs.getString(2));
                        w.put("warning", rs.getString(3));
                        warnings.add(w);
                    }
                }
            }
            if (!warnings.isEmpty()) {
                ack.put("warnings", warnings);
            }
        }
        return ack;
    }
}
