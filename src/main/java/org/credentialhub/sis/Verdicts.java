package org.credentialhub.sis;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A bundle's verdict as stored with its delivery, and read back for a bundle imported before a restart. */
final class Verdicts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Verdicts() {
    }

    /** Stores what the delivery row lacks of the verdict (in the import's transaction). */
    static void record(Connection c, long deliveryId, String version, Map<String, Long> rows) throws SQLException {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("version", version);
        detail.put("rows", rows);
        try {
            org.credentialhub.store.Deliveries.setVerdictDetail(c, deliveryId, JSON.writeValueAsString(detail));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The verdict of the delivery made for a pickup of the feed, or null when there is none. */
    static Verdict ofPickup(Connection c, String feed, String pickupRef) throws SQLException {
        Long id = org.credentialhub.store.Deliveries.ofPickup(c, feed, pickupRef);
        if (id == null) {
            return null;
        }
        String status;
        Long duplicateOf;
        String version = null;
        Map<String, Long> rows = Map.of();
        try (PreparedStatement ps = c.prepareStatement(
                "select status, duplicate_of, verdict_detail::text from delivery where delivery_id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                status = rs.getString(1);
                duplicateOf = rs.getObject(2) == null ? null : rs.getLong(2);
                if (rs.getString(3) != null) {
                    Map<String, Object> detail = JSON.readValue(rs.getString(3), new TypeReference<>() {
                    });
                    version = (String) detail.get("version");
                    rows = JSON.convertValue(detail.get("rows"), new TypeReference<LinkedHashMap<String, Long>>() {
                    });
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable verdict of delivery " + id, e);
        }
        if (duplicateOf != null) {
            return Verdict.duplicate(id, duplicateOf);
        }
        if ("held".equals(status)) {
            return new Verdict(id, false, null, Map.of(), List.of(), 0, null, SisHolds.holdOf(c, id));
        }
        List<Problem> problems = new ArrayList<>();
        long count = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                select severity, file, line, field, message from delivery_problem where delivery_id = ? order by seq""")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String message = rs.getString(5);
                    java.util.regex.Matcher more = java.util.regex.Pattern.compile("^(\\d+) more problem\\(s\\) not listed$")
                            .matcher(message == null ? "" : message);
                    if (rs.getString(2) == null && more.matches()) {
                        count += Long.parseLong(more.group(1));
                        continue;
                    }
                    problems.add(new Problem("error".equals(rs.getString(1)) ? Problem.Severity.ERROR : Problem.Severity.WARNING,
                            rs.getString(2), rs.getInt(3), rs.getString(4), message));
                    count++;
                }
            }
        }
        return new Verdict(id, "accepted".equals(status), version, rows, List.copyOf(problems), count, null, null);
    }
}
