package org.credentialhub.accounts;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Writes the audit trail: who, when, what, on which object, state before and after. */
public final class Audit {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Audit() {
    }

    /** Records an action within the caller's transaction. */
    public static void record(Connection c, Account who, String action, String objectType, String objectId,
                              String district, Object before, Object after) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into audit_log (account_id, username, action, object_type, object_id, district_code, before, after)
                values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")) {
            ps.setObject(1, who == null || who.id() <= 0 ? null : who.id());
            ps.setString(2, who == null ? "system" : who.username());
            ps.setString(3, action);
            ps.setString(4, objectType);
            ps.setString(5, objectId);
            ps.setString(6, district);
            ps.setString(7, json(before));
            ps.setString(8, json(after));
            ps.executeUpdate();
        }
    }

    private static String json(Object o) throws SQLException {
        if (o == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("cannot write the audit record", e);
        }
    }
}
