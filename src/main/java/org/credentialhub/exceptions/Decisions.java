package org.credentialhub.exceptions;

import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Audit;
import org.credentialhub.support.Hmac;
import org.credentialhub.store.Rollback;
import org.credentialhub.store.Rows;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A district's decisions on results the hub could not settle: link to a student of the district,
 * reject (not our student, invalid), or defer. Every decision is audited with the state before and
 * after, remembered in the crosswalk (the same vendor candidate later goes to the same student without
 * asking again), and flows into the next reconciliation and reporting load. The web page and
 * {@code ./hub resolve} both decide through here.
 */
public final class Decisions {
    public enum Action { LINK, REJECT, DEFER }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final DataSource dataSource;
    private final Hmac hmac;

    public Decisions(DataSource dataSource, Hmac hmac) {
        this.dataSource = dataSource;
        this.hmac = hmac;
    }

    /**
     * The key under which a decision is remembered for a vendor's candidate: the vendor's candidate id, else the
     * state-ID hash, else the keyed hash of the names and birth date the vendor sent ({@code Hmac.identity}).
     */
    public static final String CANDIDATE_KEY = candidateKey("r", "i");

    /**
     * {@link #CANDIDATE_KEY} over other rows: {@code result} holds the vendor's candidate id and state-ID hash,
     * {@code identity} the identity key (both the same row for a file's staged rows).
     */
    public static String candidateKey(String result, String identity) {
        return "coalesce(" + result + ".vendor_candidate_id, " + result + ".state_id_hash, " + identity + ".identity_key)";
    }

    /**
     * Decides one result. For {@code LINK}, the student is given by roster id or by clear state ID
     * ({@code stateId}, hashed here); it must belong to the decider's district unless the decider is ops.
     */
    public Map<String, Object> decide(Account who, long resultId, Action action, Long studentId, String stateId,
                                      String note) throws SQLException {
        return decide(who, resultId, action, studentId, stateId, note, null);
    }

    /**
     * As {@link #decide(Account, long, Action, Long, String, String)}, bound to the version of the result the decider
     * saw ({@code version}, null: the current one): when an identity-changing correction replaced it since, nothing
     * is decided and the message says why.
     */
    public Map<String, Object> decide(Account who, long resultId, Action action, Long studentId, String stateId,
                                      String note, Integer version) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, Object> out = decide(c, who, resultId, action, studentId, stateId, note, version);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                Rollback.after(c, e);
                throw e;
            }
        }
    }

    Map<String, Object> decide(Connection c, Account who, long resultId, Action action, Long studentId,
                               String stateId, String note, Integer seenVersion) throws SQLException {
        Map<String, Object> before = new LinkedHashMap<>();
        // the version decided on (its number, the content hash and lineage of its latest row): audited with the decision
        Map<String, Object> version = new LinkedHashMap<>();
        String feed;
        String candidateKey;
        String district;
        try (PreparedStatement ps = c.prepareStatement("""
                select r.feed_code, r.student_id, r.match_decision, r.match_tier, %s as candidate_key, r.version,
                       r.hold_reason, r.match_score, r.status,
                       (select rl.content_hash from result_lineage rl where rl.result_id = r.result_id
                          and rl.version = r.version order by rl.delivery_id desc, rl.source_row desc limit 1) as content_hash,
                       (select coalesce(r.source_ref, d.source_name) || ', row ' || rl.source_row
                          from result_lineage rl join delivery d using (delivery_id) where rl.result_id = r.result_id
                          and rl.version = r.version order by rl.delivery_id desc, rl.source_row desc limit 1) as lineage,
                       (select string_agg(distinct e.district_code, ',') from result_exception e
                         where e.result_id = r.result_id and e.status <> 'resolved') as districts,
                       exists (select 1 from result_exception e where e.result_id = r.result_id) as has_exception
                from result r left join result_identity i using (result_id)
                where r.result_id = ? for update of r""".formatted(CANDIDATE_KEY))) {
            ps.setLong(1, resultId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new DecisionException("no result " + resultId);
                }
                feed = rs.getString("feed_code");
                candidateKey = rs.getString("candidate_key");
                district = rs.getString("districts");
                before.put("student_id", rs.getObject("student_id"));
                before.put("match_decision", rs.getString("match_decision"));
                before.put("match_tier", rs.getString("match_tier"));
                // what an undo (reopen) puts back
                before.put("match_score", rs.getObject("match_score"));
                before.put("status", rs.getString("status"));
                version.put("version", rs.getInt("version"));
                version.put("content_hash", rs.getString("content_hash"));
                version.put("lineage", rs.getString("lineage"));
                if (seenVersion != null && seenVersion != rs.getInt("version")) {
                    throw new DecisionException("result " + resultId + " was replaced since it was shown (now version "
                            + rs.getInt("version") + (rs.getString("hold_reason") == null ? ""
                            : ": " + rs.getString("hold_reason")) + "); decide again on what it is now");
                }
                if (!rs.getBoolean("has_exception") && !who.isOps()) {
                    throw new DecisionException("result " + resultId + " has no exception to decide");
                }
            }
        }
        if (!who.isOps() && (district == null || !district.equals(who.districtCode()))) {
            throw new DecisionException("result " + resultId + " is not in your district's queue");
        }
        if (action != Action.DEFER && candidateKey != null) {
            before.put("crosswalk", crosswalk(c, feed, candidateKey));
        }
        Map<String, Object> after = new LinkedHashMap<>();
        switch (action) {
            case LINK -> {
                long student = resolveStudent(c, who, studentId, stateId);
                Rows.update(c, """
                        update result set student_id = ?, match_decision = 'match', match_tier = 'district',
                                          match_score = 1.0, status = case when status = 'held' then 'active' else status end,
                                          updated_at = now() where result_id = ?""", student, resultId);
                remember(c, feed, candidateKey, student, "link", who);
                close(c, resultId, "linked", who, "no_match", "ambiguous", "identity_changed");
                after.put("student_id", student);
                after.put("match_decision", "match");
                after.put("match_tier", "district");
            }
            case REJECT -> {
                Rows.update(c, """
                        update result set student_id = null, match_decision = 'rejected', match_tier = 'district',
                                          match_score = 0, status = case when status = 'held' then 'active' else status end,
                                          updated_at = now() where result_id = ?""", resultId);
                remember(c, feed, candidateKey, null, "reject", who);
                close(c, resultId, "rejected", who, "no_match", "ambiguous", "unknown_exam_code", "not_enrolled",
                        "identity_changed", "unknown_agreement", "credit_not_earned");
                after.put("match_decision", "rejected");
            }
            case DEFER -> {
                try (PreparedStatement ps = c.prepareStatement("""
                        update result_exception set status = 'deferred', updated_at = now()
                        where result_id = ? and status = 'open'""")) {
                    ps.setLong(1, resultId);
                    ps.executeUpdate();
                }
                after.put("deferred", true);
            }
            default -> throw new IllegalStateException();
        }
        if (note != null && !note.isBlank()) {
            after.put("note", note.length() > 500 ? note.substring(0, 500) : note);
        }
        if (action != Action.DEFER) {
            after.putAll(version);
        }
        Audit.record(c, who, "decide-" + action.name().toLowerCase(), "result", String.valueOf(resultId),
                who.isOps() ? district : who.districtCode(), before, after);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", resultId);
        out.put("action", action.name().toLowerCase());
        out.putAll(after);
        return out;
    }

    /**
     * Undoes (reopens) the caller's own latest decision on a result, made at most {@code withinMinutes} ago and not
     * undone since: a link or reject puts back the result's student, decision, tier, weight and status as they
     * were, the crosswalk entry as it was (or none) and reopens the exceptions the decision closed; a defer makes
     * the deferred exceptions open again. Audited as {@code reopen}. A result changed since the decision (by a later
     * delivery or decision) is not touched and the message says so.
     */
    public Map<String, Object> reopen(Account who, long resultId, int withinMinutes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, Object> out = reopen(c, who, resultId, withinMinutes);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                Rollback.after(c, e);
                throw e;
            }
        }
    }

    private Map<String, Object> reopen(Connection c, Account who, long resultId, int withinMinutes) throws SQLException {
        String feed;
        String candidateKey;
        Long student;
        String decision;
        try (PreparedStatement ps = c.prepareStatement("""
                select r.feed_code, %s as candidate_key, r.student_id, r.match_decision
                from result r left join result_identity i using (result_id) where r.result_id = ? for update of r"""
                .formatted(CANDIDATE_KEY))) {
            ps.setLong(1, resultId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new DecisionException("no result " + resultId);
                }
                feed = rs.getString(1);
                candidateKey = rs.getString(2);
                student = (Long) rs.getObject(3);
                decision = rs.getString(4);
            }
        }
        com.fasterxml.jackson.databind.JsonNode before;
        com.fasterxml.jackson.databind.JsonNode after;
        String action;
        String district;
        try (PreparedStatement ps = c.prepareStatement("""
                select action, username, before::text, after::text, district_code,
                       at < now() - make_interval(mins => ?) as too_old
                from audit_log where object_type = 'result' and object_id = ?
                  and (action like 'decide-%' or action = 'reopen')
                order by at desc, audit_id desc limit 1""")) {
            ps.setInt(1, withinMinutes);
            ps.setString(2, String.valueOf(resultId));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1).equals("reopen")) {
                    throw new DecisionException("result " + resultId + " has no decision to undo");
                }
                if (!rs.getString(2).equals(who.username())) {
                    throw new DecisionException("result " + resultId + " was last decided by someone else; only they can undo it");
                }
                if (rs.getBoolean(6)) {
                    throw new DecisionException("result " + resultId + " was decided more than " + withinMinutes
                            + " minutes ago; it can no longer be undone");
                }
                action = rs.getString(1).substring("decide-".length());
                district = rs.getString(5);
                try {
                    before = JSON.readTree(rs.getString(3));
                    after = JSON.readTree(rs.getString(4));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (!who.isOps() && (district == null || !district.equals(who.districtCode()))) {
            throw new DecisionException("result " + resultId + " is not in your district's queue");
        }
        Map<String, Object> now = new LinkedHashMap<>();
        now.put("student_id", student);
        now.put("match_decision", decision);
        if (action.equals("defer")) {
            Rows.update(c, """
                    update result_exception set status = 'open', updated_at = now()
                    where result_id = ? and status = 'deferred'""", resultId);
        } else {
            // the result must still be as the decision left it
            Long decided = after.hasNonNull("student_id") ? after.get("student_id").asLong() : null;
            if (!java.util.Objects.equals(decided, student) || !after.path("match_decision").asText().equals(decision)) {
                throw new DecisionException("result " + resultId + " changed since the decision; it cannot be undone");
            }
            Rows.update(c, """
                    update result set student_id = ?, match_decision = ?, match_tier = ?, match_score = ?,
                                      status = coalesce(?, status), updated_at = now() where result_id = ?""",
                    before.hasNonNull("student_id") ? before.get("student_id").asLong() : null,
                    before.path("match_decision").asText(null), before.path("match_tier").asText(null),
                    before.hasNonNull("match_score") ? before.get("match_score").asDouble() : null,
                    before.path("status").asText(null), resultId);
            if (candidateKey != null) {
                com.fasterxml.jackson.databind.JsonNode was = before.path("crosswalk");
                if (was.isObject()) {
                    Rows.update(c, """
                            update match_crosswalk set student_id = ?, decision = ?, decided_by = ?, decided_at = now()
                            where feed_code = ? and candidate_key = ?""",
                            was.hasNonNull("student_id") ? was.get("student_id").asLong() : null,
                            was.path("decision").asText(), was.path("decided_by").asText(), feed, candidateKey);
                } else {
                    Rows.update(c, "delete from match_crosswalk where feed_code = ? and candidate_key = ? and decided_by = ?",
                            feed, candidateKey, who.username());
                }
            }
            Rows.update(c, """
                    update result_exception set status = 'open', resolution = null, resolved_at = null,
                           resolved_by = null, updated_at = now()
                    where result_id = ? and status = 'resolved' and resolution = ? and resolved_by = ?""",
                    resultId, action.equals("link") ? "linked" : "rejected", who.username());
        }
        Map<String, Object> restored = new LinkedHashMap<>();
        restored.put("undone", action);
        if (!action.equals("defer")) {
            restored.put("student_id", before.hasNonNull("student_id") ? before.get("student_id").asLong() : null);
            restored.put("match_decision", before.path("match_decision").asText(null));
        }
        Audit.record(c, who, "reopen", "result", String.valueOf(resultId), district, now, restored);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", resultId);
        out.putAll(restored);
        return out;
    }

    /** The crosswalk's entry for a vendor candidate (student, decision, by whom), or null. */
    private static Map<String, Object> crosswalk(Connection c, String feed, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select student_id, decision, decided_by from match_crosswalk where feed_code = ? and candidate_key = ?""")) {
            ps.setString(1, feed);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("student_id", rs.getObject(1));
                out.put("decision", rs.getString(2));
                out.put("decided_by", rs.getString(3));
                return out;
            }
        }
    }

    /**
     * What a batch of decisions did. {@code replaced}: decisions made on a version of the result that a later
     * delivery replaced (its identity changed), reported and not applied; {@code conflicting}: decisions for one
     * result that disagree, reported and none of them applied; {@code reported}: one line for each (the decision's
     * lineage and why; never the decision's state ID).
     */
    public record BatchOutcome(int linked, int rejected, int unknownStudent, int notFound, int replaced, int conflicting,
                               java.util.List<String> reported) {
    }

    /**
     * Applies many decisions at once, set-based, in the caller's transaction: the rows of the temporary
     * table {@code decision_batch(result_id bigint, action text, state_id_hash text, version int, content_hash text,
     * lineage text)} (action {@code link} or {@code reject}; rows whose result_id is null were not found; version
     * and content hash: of the row the decision names, i.e. the version it was made on; lineage: the decision as
     * its file names it). Same effects as {@link #decide}: results linked or rejected, a hold released, the
     * crosswalk remembers it, the exceptions close, every decision audited with the version it was made on.
     * A decision made on a replaced version, and decisions for one result that disagree, are reported, not applied.
     */
    public BatchOutcome applyBatch(Connection c, Account who) throws SQLException {
        java.util.List<String> reported = new java.util.ArrayList<>();
        int replaced = report(c, reported, """
                select b.lineage || ': decided on version ' || coalesce(b.version, 1) || ' of the attempt, which was '
                       || 'replaced (' || coalesce(r.hold_reason, 'another version') || ', now version ' || r.version
                       || '); not applied'
                from decision_batch b join result r using (result_id)
                where b.version is distinct from r.version order by b.lineage""");
        Rows.update(c, """
                delete from decision_batch b using result r
                where r.result_id = b.result_id and b.version is distinct from r.version""");
        String disagreeing = """
                select result_id from decision_batch where result_id is not null group by result_id
                having count(distinct action || coalesce(state_id_hash, '')) > 1""";
        int conflicting = report(c, reported, """
                select lineage || ': conflicts with another decision for the same result; none of them is applied'
                from decision_batch where result_id in (%s) order by lineage""".formatted(disagreeing));
        Rows.update(c, "delete from decision_batch where result_id in (" + disagreeing + ")");
        // the same decision named twice (e.g. two rows of one version): applied and audited once
        // set-based (a correlated min() per row is quadratic without an index: hours for a state's 126k decisions)
        Rows.update(c, """
                delete from decision_batch b using (
                    select result_id, min(ctid) as keep from decision_batch where result_id is not null group by result_id
                ) k
                where b.result_id = k.result_id and b.ctid <> k.keep""");
        int notFound = count(c, "select count(*) from decision_batch where result_id is null");
        int unknown = count(c, """
                select count(*) from decision_batch b where b.result_id is not null and b.action = 'link'
                  and not exists (select 1 from student s where s.state_id_hash = b.state_id_hash)""");
        try (PreparedStatement ps = c.prepareStatement("""
                insert into audit_log (account_id, username, action, object_type, object_id, district_code, before, after)
                select null, ?, 'decide-' || b.action, 'result', r.result_id::text, s.district_code,
                       jsonb_build_object('student_id', r.student_id, 'match_decision', r.match_decision,
                                          'match_tier', r.match_tier),
                       case when b.action = 'link'
                            then jsonb_build_object('student_id', s.student_id, 'match_decision', 'match', 'match_tier', 'district')
                            else jsonb_build_object('match_decision', 'rejected') end
                       || jsonb_build_object('version', r.version, 'content_hash', b.content_hash, 'lineage', b.lineage)
                from decision_batch b join result r using (result_id)
                left join student s on s.state_id_hash = b.state_id_hash
                where b.action = 'reject' or s.student_id is not null""")) {
            ps.setString(1, who.username());
            ps.executeUpdate();
        }
        int linked;
        int rejected;
        try (java.sql.Statement st = c.createStatement()) {
            linked = st.executeUpdate("""
                    update result r set student_id = s.student_id, match_decision = 'match', match_tier = 'district',
                                        match_score = 1.0, status = case when r.status = 'held' then 'active' else r.status end,
                                        updated_at = now()
                    from decision_batch b join student s on s.state_id_hash = b.state_id_hash
                    where r.result_id = b.result_id and b.action = 'link'""");
            rejected = st.executeUpdate("""
                    update result r set student_id = null, match_decision = 'rejected', match_tier = 'district',
                                        match_score = 0, status = case when r.status = 'held' then 'active' else r.status end,
                                        updated_at = now()
                    from decision_batch b where r.result_id = b.result_id and b.action = 'reject'""");
            st.executeUpdate("""
                    insert into match_crosswalk (feed_code, candidate_key, student_id, decision, decided_by)
                    select distinct on (r.feed_code, %s) r.feed_code, %s, r.student_id,
                           case when r.match_decision = 'match' then 'link' else 'reject' end, '%s'
                    from decision_batch b join result r using (result_id) left join result_identity i using (result_id)
                    where r.match_tier = 'district' and %s is not null
                    order by r.feed_code, %s, r.result_id desc
                    on conflict (feed_code, candidate_key) do update set student_id = excluded.student_id,
                        decision = excluded.decision, decided_by = excluded.decided_by, decided_at = now()"""
                    .formatted(CANDIDATE_KEY, CANDIDATE_KEY, who.username().replace("'", "''"), CANDIDATE_KEY, CANDIDATE_KEY));
            st.executeUpdate("""
                    update result_exception e set status = 'resolved',
                           resolution = case when r.match_decision = 'match' then 'linked' else 'rejected' end,
                           resolved_at = now(), resolved_by = '%s', updated_at = now()
                    from decision_batch b join result r using (result_id)
                    where e.result_id = b.result_id and e.status <> 'resolved' and r.match_tier = 'district'
                      and (e.kind in ('no_match', 'ambiguous', 'identity_changed') or r.match_decision = 'rejected')"""
                    .formatted(who.username().replace("'", "''")));
        }
        return new BatchOutcome(linked, rejected, unknown, notFound, replaced, conflicting, java.util.List.copyOf(reported));
    }

    private static int report(Connection c, java.util.List<String> into, String sql) throws SQLException {
        int n = 0;
        try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                into.add(rs.getString(1));
                n++;
            }
        }
        return n;
    }

    private static int count(Connection c, String sql) throws SQLException {
        try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private long resolveStudent(Connection c, Account who, Long studentId, String stateId) throws SQLException {
        String sql = studentId != null ? "select student_id, district_code from student where student_id = ?"
                : "select student_id, district_code from student where state_id_hash = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (studentId != null) {
                ps.setLong(1, studentId);
            } else if (stateId != null) {
                ps.setString(1, hmac.stateId(stateId));
            } else {
                throw new DecisionException("a link names the student");
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new DecisionException("no such student on the roster");
                }
                if (!who.isOps() && !rs.getString(2).equals(who.districtCode())) {
                    throw new DecisionException("no such student on the roster");
                }
                return rs.getLong(1);
            }
        }
    }

    private static void remember(Connection c, String feed, String key, Long student, String decision, Account who)
            throws SQLException {
        if (key == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into match_crosswalk (feed_code, candidate_key, student_id, decision, decided_by)
                values (?, ?, ?, ?, ?)
                on conflict (feed_code, candidate_key) do update set student_id = excluded.student_id,
                    decision = excluded.decision, decided_by = excluded.decided_by, decided_at = now()""")) {
            ps.setString(1, feed);
            ps.setString(2, key);
            ps.setObject(3, student);
            ps.setString(4, decision);
            ps.setString(5, who.username());
            ps.executeUpdate();
        }
    }

    private static void close(Connection c, long resultId, String resolution, Account who, String... kinds)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update result_exception set status = 'resolved', resolution = ?, resolved_at = now(),
                       resolved_by = ?, updated_at = now()
                where result_id = ? and status <> 'resolved' and kind = any (?)""")) {
            ps.setString(1, resolution);
            ps.setString(2, who.username());
            ps.setLong(3, resultId);
            ps.setArray(4, c.createArrayOf("text", kinds));
            ps.executeUpdate();
        }
    }


    /** A decision that cannot be made; the message names no personal data. */
    public static final class DecisionException extends IllegalArgumentException {
        public DecisionException(String message) {
            super(message);
        }
    }
}
