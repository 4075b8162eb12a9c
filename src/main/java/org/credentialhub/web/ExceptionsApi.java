package org.credentialhub.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.credentialhub.accounts.Account;
import org.credentialhub.accounts.Role;
import org.credentialhub.exceptions.Decisions;
import org.credentialhub.support.Hmac;

import javax.sql.DataSource;

import static org.credentialhub.web.Web.csvCell;
import static org.credentialhub.web.Web.param;
import static org.credentialhub.web.Web.parseInt;
import static org.credentialhub.web.Web.parseLong;
import static org.credentialhub.web.Web.query;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The district exception queue. A district account sees, counts and changes only its own district's
 * exceptions and searches only its own district's roster; ops see every district and the state's
 * queue (exceptions no district could be told for).
 */
public final class ExceptionsApi {
    private static final Role[] DECIDERS = {Role.OPS, Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF};
    private static final int PAGE = 100;

    private final DataSource dataSource;
    private final Decisions decisions;
    private final Hmac hmac;

    public ExceptionsApi(DataSource dataSource, Decisions decisions, Hmac hmac) {
        this.dataSource = dataSource;
        this.decisions = decisions;
        this.hmac = hmac;
    }

    /** The WHERE clause and its parameters for the caller's scope and the request's filters. */
    private record Filter(String where, List<Object> params) {
    }

    private Filter filter(Exchange ex, Account a) {
        StringBuilder w = new StringBuilder("true");
        List<Object> p = new ArrayList<>();
        if (!a.isOps()) {
            w.append(" and e.district_code = ?");
            p.add(a.districtCode());
        } else if (param(ex, "district") != null) {
            if ("none".equals(param(ex, "district"))) {
                w.append(" and e.district_code is null");
            } else {
                w.append(" and e.district_code = ?");
                p.add(param(ex, "district"));
            }
        }
        String status = param(ex, "status");
        if (status == null || "open".equals(status)) {
            w.append(" and e.status in ('open', 'deferred')");
        } else if (!"all".equals(status)) {
            w.append(" and e.status = ?");
            p.add(status);
        }
        addEq(ex, "kind", "e.kind", w, p);
        addEq(ex, "feed", "r.feed_code", w, p);
        addEq(ex, "credential", "r.credential_code", w, p);
        String school = param(ex, "school");
        if (school != null) {
            w.append(" and (i.school_code = ? or i.school_name ilike ?)");
            p.add(school);
            p.add("%" + school.replace("%", "") + "%");
        }
        String age = param(ex, "minAgeDays");
        if (age != null) {
            try {
                w.append(" and e.created_at < now() - make_interval(days => ?)");
                p.add(Integer.parseInt(age));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("minAgeDays is a whole number");
            }
        }
        return new Filter(w.toString(), p);
    }

    private static void addEq(Exchange ex, String name, String column, StringBuilder w, List<Object> p) {
        String v = param(ex, name);
        if (v != null) {
            w.append(" and ").append(column).append(" = ?");
            p.add(v);
        }
    }

    private static final String FROM = """
            from result_exception e
            join result r using (result_id)
            left join result_identity i using (result_id)
            left join catalog_credential cc on cc.school_year = r.school_year and cc.credential_code = r.credential_code
            left join delivery d on d.delivery_id = r.delivery_id
            """;

    /** The columns the queue can be sorted by ({@code sort=}), each with its SQL; ties go by age, then id. */
    private static final Map<String, String> SORTS = Map.of(
            "kind", "e.kind", "status", "e.status", "district", "e.district_code", "feed", "r.feed_code",
            "source", "d.source_name", "credential", "coalesce(cc.credential_name, r.exam_code)",
            "attempted", "r.attempted_on", "name", "lower(i.last_name || ' ' || i.first_name)",
            "school", "lower(i.school_name)", "age", "e.created_at");

    /** The ORDER BY of a list request: {@code sort} (one of {@link #SORTS}) and {@code dir} (asc, desc). */
    private static String order(Exchange ex) {
        String sort = param(ex, "sort");
        String dir = "desc".equalsIgnoreCase(param(ex, "dir")) ? "desc" : "asc";
        if (sort == null || !SORTS.containsKey(sort)) {
            return "e.created_at, e.exception_id";
        }
        // age ascending = youngest first = created last
        String d = "age".equals(sort) ? ("asc".equals(dir) ? "desc" : "asc") : dir;
        return SORTS.get(sort) + " " + d + " nulls last, e.created_at, e.exception_id";
    }

    /** GET /api/exceptions: counts by kind and a page of exceptions matching the filters. */
    public void list(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        Filter f = filter(ex, a);
        int offset = Math.max(0, parseInt(param(ex, "offset"), 0));
        String order = order(ex);
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            Map<String, Object> counts = new LinkedHashMap<>();
            for (Map<String, Object> row : query(c, "select e.kind, count(*) as n " + FROM + " where " + f.where()
                    + " group by e.kind order by e.kind", f.params())) {
                counts.put((String) row.get("kind"), row.get("n"));
            }
            out.put("counts", counts);
            out.put("total", counts.values().stream().mapToLong(v -> ((Number) v).longValue()).sum());
            out.put("offset", offset);
            out.put("limit", PAGE);
            List<Object> params = new ArrayList<>(f.params());
            params.add(offset);
            out.put("items", query(c, """
                    select e.exception_id as id, e.kind, e.status, e.district_code as district, r.result_id as result,
                           r.feed_code as feed, d.source_name as source, r.source_row as row,
                           r.exam_code, r.credential_code as credential, cc.credential_name,
                           r.attempted_on::text as attempted_on, r.passed, i.first_name, i.last_name,
                           i.birth_date::text as birth_date, i.school_name, e.created_at::text as created,
                           (now()::date - e.created_at::date) as age_days, e.resolution
                    """ + FROM + " where " + f.where() + " order by " + order + " limit " + PAGE
                    + " offset ?", params));
        }
        Web.json(ex, out);
    }

    /** GET /api/exceptions/{id}: what the vendor sent, and the candidate students with scores and reasons. */
    public void detail(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        long id = parseLong(ex.getIn().getHeader("id", String.class));
        try (Connection c = dataSource.getConnection()) {
            List<Object> params = new ArrayList<>();
            params.add(id);
            List<Map<String, Object>> rows = query(c, """
                    select e.exception_id as id, e.kind, e.status, e.resolution, e.district_code as district,
                           e.resolved_by, e.resolved_at::text as resolved_at,
                           r.result_id as result, r.feed_code as feed, d.source_name as source, r.source_row as row,
                           r.vendor_candidate_id, r.exam_code, r.credential_code as credential, cc.credential_name,
                           r.attempted_on::text as attempted_on, r.passed, r.score, r.match_decision,
                           i.first_name, i.last_name, i.birth_date::text as birth_date, i.email, i.school_code,
                           i.school_name, i.district_code as sent_district
                    """ + FROM + " where e.exception_id = ?", params);
            if (rows.isEmpty() || !a.canSeeDistrict((String) rows.get(0).get("district"))) {
                throw ApiException.notFound();
            }
            Map<String, Object> out = rows.get(0);
            out.put("decisions", decisionsOf(c, out.get("result")));
            List<Object> rp = new ArrayList<>();
            rp.add(out.get("result"));
            rp.add(a.isOps());
            rp.add(a.districtCode());
            out.put("candidates", query(c, """
                    select s.student_id, s.first_name, s.last_name, s.birth_date::text as birth_date,
                           s.school_code, sc.name as school_name, s.district_code, mc.score, mc.reasons::text as reasons
                    from match_candidate mc join student s using (student_id)
                    left join school sc on sc.school_code = s.school_code
                    where mc.result_id = ? and (? or s.district_code = ?) order by mc.rank""", rp));
            for (Object o : (List<?>) out.get("candidates")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> cand = (Map<String, Object>) o;
                cand.put("reasons", Web.JSON.readTree(String.valueOf(cand.get("reasons"))));
            }
            Web.json(ex, out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The decisions taken on a result (from the audit log): who, when, which action and the note, oldest first.
     * Only actions and notes: the before/after student ids stay in the audit log.
     */
    private static List<Map<String, Object>> decisionsOf(Connection c, Object resultId) throws SQLException {
        List<Object> p = new ArrayList<>();
        p.add(String.valueOf(resultId));
        return query(c, """
                select substring(action from 8) as action, username as by, at::text as at, after ->> 'note' as note
                from audit_log where object_type = 'result' and object_id = ? and action like 'decide-%'
                order by at, audit_id""", p);
    }

    /** POST /api/exceptions/{id}/decision {action: link|reject|defer, studentId | stateId, note}. */
    public void decide(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        long id = parseLong(ex.getIn().getHeader("id", String.class));
        JsonNode body = Web.body(ex);
        Web.json(ex, decideOne(a, id, body));
    }

    private Map<String, Object> decideOne(Account a, long exceptionId, JsonNode body) throws SQLException {
        long resultId;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select result_id, district_code from result_exception where exception_id = ?")) {
            ps.setLong(1, exceptionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !a.canSeeDistrict(rs.getString(2))) {
                    throw ApiException.notFound();
                }
                resultId = rs.getLong(1);
            }
        }
        Decisions.Action action;
        try {
            action = Decisions.Action.valueOf(body.path("action").asText("").toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("action is link, reject or defer");
        }
        Long studentId = body.hasNonNull("studentId") ? body.get("studentId").asLong() : null;
        String stateId = body.hasNonNull("stateId") ? body.get("stateId").asText() : null;
        try {
            return decisions.decide(a, resultId, action, studentId, stateId, body.path("note").asText(null));
        } catch (Decisions.DecisionException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** POST /api/exceptions/bulk {ids: [...], action, studentId?, note?}: the same decision on many alike. */
    public void bulk(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        JsonNode body = Web.body(ex);
        if (!body.path("ids").isArray() || body.path("ids").isEmpty() || body.path("ids").size() > 1000) {
            throw ApiException.badRequest("ids is a list of 1 to 1000 exception ids");
        }
        if ("link".equalsIgnoreCase(body.path("action").asText())) {
            throw ApiException.badRequest("bulk actions are reject and defer; link one at a time");
        }
        List<Object> done = new ArrayList<>();
        List<Object> failed = new ArrayList<>();
        for (JsonNode id : body.get("ids")) {
            try {
                done.add(decideOne(a, id.asLong(), body));
            } catch (ApiException e) {
                failed.add(Map.of("id", id.asLong(), "error", e.getMessage()));
            }
        }
        Web.json(ex, Map.of("decided", done, "failed", failed));
    }

    /** GET /api/roster/search?q=: students of the caller's district by name or state ID (ops: all). */
    public void searchRoster(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        String q = param(ex, "q");
        if (q == null || q.length() < 2) {
            throw ApiException.badRequest("q needs at least 2 characters");
        }
        List<Object> p = new ArrayList<>();
        String byId = q.replaceAll("[\\s.-]", "").matches("\\d{6,}") ? hmac.stateId(q) : null;
        p.add(byId);
        // "Last, First" names the last name first; "First Last" either way round; one word either name
        String last;
        String first;
        String lower = q.toLowerCase().trim();
        if (lower.contains(",")) {
            last = lower.substring(0, lower.indexOf(',')).trim();
            first = lower.substring(lower.indexOf(',') + 1).trim();
        } else {
            String[] words = lower.split("\\s+");
            first = words.length > 1 ? String.join(" ", java.util.Arrays.copyOf(words, words.length - 1)) : "";
            last = words[words.length - 1];
        }
        String l = like(last);
        String fi = like(first);
        String nameMatch;
        if (first.isEmpty() || last.isEmpty()) {
            String one = first.isEmpty() ? l : fi;
            p.add(one);
            p.add(one);
            nameMatch = "lower(s.last_name) like ? or lower(s.first_name) like ?";
        } else {
            p.add(l);
            p.add(fi);
            nameMatch = "(lower(s.last_name) like ? and lower(s.first_name) like ?)";
            if (!lower.contains(",")) {
                p.add(fi);
                p.add(l);
                nameMatch += " or (lower(s.last_name) like ? and lower(s.first_name) like ?)";
            }
        }
        p.add(a.isOps());
        p.add(a.districtCode());
        try (Connection c = dataSource.getConnection()) {
            Web.json(ex, Map.of("students", query(c, """
                    select s.student_id, s.first_name, s.last_name, s.birth_date::text as birth_date, s.school_code,
                           sc.name as school_name, s.district_code
                    from student s left join school sc on sc.school_code = s.school_code
                    where (s.state_id_hash = ?""" + " or " + nameMatch + """
                    )
                      and (? or s.district_code = ?)
                    order by s.last_name, s.first_name limit 50""", p)));
        }
    }

    private static String like(String prefix) {
        return prefix.replace("\\", "").replace("%", "").replace("_", "\\_") + "%";
    }

    /** GET /api/exceptions.csv: the filtered queue as CSV, spreadsheet formulas escaped. */
    public void exportCsv(Exchange ex) throws SQLException {
        Account a = Web.caller(ex, DECIDERS);
        Filter f = filter(ex, a);
        StringBuilder sb = new StringBuilder(
                "exception_id,kind,status,district,feed,source,row,exam_code,credential,attempted_on,passed,first_name,last_name,birth_date,school_name\r\n");
        try (Connection c = dataSource.getConnection()) {
            for (Map<String, Object> r : query(c, """
                    select e.exception_id, e.kind, e.status, e.district_code, r.feed_code, d.source_name, r.source_row,
                           r.exam_code, r.credential_code, r.attempted_on::text, r.passed, i.first_name, i.last_name,
                           i.birth_date::text, i.school_name
                    """ + FROM + " where " + f.where() + " order by e.exception_id limit 100000", f.params())) {
                List<String> cells = new ArrayList<>();
                for (Object v : r.values()) {
                    cells.add(csvCell(v == null ? "" : v.toString()));
                }
                sb.append(String.join(",", cells)).append("\r\n");
            }
        }
        Web.clearHeaders(ex);
        ex.getMessage().setBody(sb.toString().getBytes(StandardCharsets.UTF_8));
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        ex.getMessage().setHeader("Content-Disposition", "attachment; filename=\"exceptions.csv\"");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
    }

}
