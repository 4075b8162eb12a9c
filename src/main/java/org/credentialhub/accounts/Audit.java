package org.credentialhub.accounts;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The audit trail: who, when, what, on which object, state before and after; written here and read for the audit page. */
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

    /** The audit page's rows per page. */
    public static final int PAGE = 100;

    /**
     * A page of the audit trail, newest first, as the caller may see it: operations every entry, a district account
     * its own district's only (vendors nothing). Optionally only one user's ({@code user}) or one action's
     * ({@code action}, e.g. {@code decide-link}, {@code reopen}, {@code assign}). Each entry: when, who, what, on
     * which object (a result's open or latest exception too), the district, and what the entry says in words
     * (note, decision, assignee, file); the before/after states stay in the log.
     */
    public static java.util.Map<String, Object> page(javax.sql.DataSource ds, Account caller, String user, String action,
                                                     int offset) throws SQLException {
        StringBuilder w = new StringBuilder("true");
        java.util.List<Object> p = new java.util.ArrayList<>();
        if (caller.role() == Role.VENDOR) {
            w.append(" and false");
        } else if (!caller.isOps()) {
            w.append(" and a.district_code = ?");
            p.add(caller.districtCode());
        }
        if (user != null && !user.isBlank()) {
            w.append(" and a.username = ?");
            p.add(user.trim());
        }
        if (action != null && !action.isBlank()) {
            w.append(" and a.action = ?");
            p.add(action.trim());
        }
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        try (Connection c = ds.getConnection()) {
            out.put("total", org.credentialhub.store.Rows.list(c, "select count(*) as n from audit_log a where " + w, p)
                    .get(0).get("n"));
            java.util.List<Object> pp = new java.util.ArrayList<>(p);
            pp.add(Math.max(0, offset));
            out.put("offset", Math.max(0, offset));
            out.put("limit", PAGE);
            out.put("entries", org.credentialhub.store.Rows.list(c, """
                    select a.audit_id as id, a.at::text as at, a.username as by, a.action, a.object_type, a.object_id,
                           a.district_code as district,
                           (select e.exception_id from result_exception e where a.object_type = 'result'
                              and e.result_id::text = a.object_id order by (e.status = 'resolved'), e.exception_id desc
                              limit 1) as exception,
                           a.after ->> 'note' as note, a.after ->> 'match_decision' as decision,
                           a.after ->> 'assigned_to' as assigned_to, a.after ->> 'undone' as undone,
                           a.after ->> 'file' as file
                    from audit_log a
                    """ + " where " + w + " order by a.at desc, a.audit_id desc limit " + PAGE + " offset ?", pp));
        }
        return out;
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
