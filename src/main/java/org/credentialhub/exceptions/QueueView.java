package org.credentialhub.exceptions;

import org.credentialhub.accounts.Account;
import org.credentialhub.store.Rows;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exception queue as people see it: filtered pages, one exception with its candidate students, the
 * export, counts for charts and metrics. Every read is scoped to its caller: a district account sees only
 * its own district's exceptions and candidates; operations see every district and the state's queue.
 */
public final class QueueView {
    public static final int PAGE = 100;

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

    /**
     * The matcher's candidates of a result as one row: the top candidate (rank 1), its match weight and the
     * runner-up's (bits), and the top candidate's district.
     */
    private static final String TOP_CANDIDATE = """
            left join lateral (
                select (array_agg(mc.student_id order by mc.rank))[1] as top_student,
                       (array_agg(mc.score order by mc.rank))[1] as top_weight,
                       (array_agg(mc.score order by mc.rank))[2] as runner_up_weight
                from match_candidate mc where mc.result_id = r.result_id) top on true
            left join student ts on ts.student_id = top.top_student
            """;

    /**
     * When a suggestion is "clearly ahead" and may be accepted in bulk: an open two-or-more-candidates exception
     * whose matcher (tier probabilistic) gave the top candidate a posterior probability of at least
     * {@code minProbability} and a match weight at least {@code minMarginBits} above the runner-up's (or had no
     * runner-up), the top candidate being a student of the exception's district (ops: any).
     */
    public record Suggest(double minProbability, double minMarginBits) {
        public static Suggest defaults() {
            return new Suggest(0.80, 5.0);
        }

        String sql(Account caller) {
            return ("(e.kind = 'ambiguous' and e.status <> 'resolved' and r.match_decision = 'review'"
                    + " and r.match_tier = 'probabilistic' and r.match_score >= %s and top.top_student is not null"
                    + " and (top.runner_up_weight is null or top.top_weight - top.runner_up_weight >= %s)"
                    + " and (%s or ts.district_code = e.district_code))")
                    .formatted(Double.toString(minProbability), Double.toString(minMarginBits), caller.isOps());
        }
    }

    private final DataSource dataSource;
    private final Suggest suggest;

    public QueueView(DataSource dataSource) {
        this(dataSource, Suggest.defaults());
    }

    public QueueView(DataSource dataSource, Suggest suggest) {
        this.dataSource = dataSource;
        this.suggest = suggest;
    }

    /**
     * Who asks and what for.
     *
     * @param caller       who asks: operations see every district, a district account only its own
     * @param district     operations only: one district's code, or {@code none} for the state's queue
     * @param status       {@code open} (default: open and deferred), {@code all} or one status
     * @param minAgeDays   only exceptions older than this many days
     * @param assignee     {@code me}: the caller's; {@code none}: nobody's; else anyone's
     * @param suggested    only those whose top candidate is clearly ahead ({@link Suggest})
     */
    public record Query(Account caller, String district, String status, String kind,
                        String feed, String credential, String school, Integer minAgeDays,
                        String assignee, boolean suggested) {

        public Query(Account caller, String district, String status, String kind,
                     String feed, String credential, String school, Integer minAgeDays) {
            this(caller, district, status, kind, feed, credential, school, minAgeDays, null, false);
        }

        private Where where(Suggest suggest) {
            StringBuilder w = new StringBuilder("true");
            List<Object> p = new ArrayList<>();
            if (!caller.isOps()) {
                w.append(" and e.district_code = ?");
                p.add(caller.districtCode());
            } else if (district != null) {
                if ("none".equals(district)) {
                    w.append(" and e.district_code is null");
                } else {
                    w.append(" and e.district_code = ?");
                    p.add(district);
                }
            }
            if (status == null || "open".equals(status)) {
                w.append(" and e.status in ('open', 'deferred')");
            } else if (!"all".equals(status)) {
                w.append(" and e.status = ?");
                p.add(status);
            }
            eq(kind, "e.kind", w, p);
            eq(feed, "r.feed_code", w, p);
            eq(credential, "r.credential_code", w, p);
            if (school != null) {
                w.append(" and (i.school_code = ? or i.school_name ilike ?)");
                p.add(school);
                p.add("%" + school.replace("%", "") + "%");
            }
            if (minAgeDays != null) {
                w.append(" and e.created_at < now() - make_interval(days => ?)");
                p.add(minAgeDays);
            }
            if ("me".equals(assignee)) {
                w.append(" and e.assigned_to = ?");
                p.add(caller.username());
            } else if ("none".equals(assignee)) {
                w.append(" and e.assigned_to is null");
            }
            if (suggested) {
                w.append(" and ").append(suggest.sql(caller));
            }
            return new Where(w.toString(), p);
        }

        private static void eq(String v, String column, StringBuilder w, List<Object> p) {
            if (v != null) {
                w.append(" and ").append(column).append(" = ?");
                p.add(v);
            }
        }
    }

    private record Where(String sql, List<Object> params) {
    }

    /** The ORDER BY for {@code sort} (one of {@link #SORTS}; else oldest first) and {@code dir} (asc, desc). */
    private static String order(String sort, String dir) {
        String d = "desc".equalsIgnoreCase(dir) ? "desc" : "asc";
        if (sort == null || !SORTS.containsKey(sort)) {
            return "e.created_at, e.exception_id";
        }
        // age ascending = youngest first = created last
        String by = "age".equals(sort) ? ("asc".equals(d) ? "desc" : "asc") : d;
        return SORTS.get(sort) + " " + by + " nulls last, e.created_at, e.exception_id";
    }

    /** Counts by kind, their total, and the page of exceptions from {@code offset} (oldest first). */
    public Map<String, Object> page(Query q, int offset) throws SQLException {
        return page(q, offset, null, null);
    }

    /**
     * Counts by kind, their total, and the page of exceptions from {@code offset} ({@code offset}, {@code limit}
     * in the answer), sorted by {@code sort} ({@code kind, status, district, feed, source, credential, attempted,
     * name, school, age}; default: oldest first) in direction {@code dir}.
     */
    public Map<String, Object> page(Query q, int offset, String sort, String dir) throws SQLException {
        offset = Math.max(0, offset);
        String order = order(sort, dir);
        Where f = q.where(suggest);
        String from = q.suggested() ? FROM + TOP_CANDIDATE : FROM;
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            Map<String, Object> counts = new LinkedHashMap<>();
            for (Map<String, Object> row : Rows.list(c, "select e.kind, count(*) as n " + from + " where " + f.sql()
                    + " group by e.kind order by e.kind", f.params())) {
                counts.put((String) row.get("kind"), row.get("n"));
            }
            out.put("counts", counts);
            out.put("total", counts.values().stream().mapToLong(v -> ((Number) v).longValue()).sum());
            out.put("offset", offset);
            out.put("limit", PAGE);
            List<Object> params = new ArrayList<>(f.params());
            params.add(offset);
            out.put("items", Rows.list(c, """
                    select e.exception_id as id, e.kind, e.status, e.district_code as district, r.result_id as result,
                           r.feed_code as feed, d.source_name as source, r.source_row as row,
                           r.exam_code, r.credential_code as credential, cc.credential_name,
                           r.attempted_on::text as attempted_on, r.passed, r.version, r.hold_reason,
                           i.first_name, i.last_name,
                           i.birth_date::text as birth_date, i.school_name, e.created_at::text as created,
                           (now()::date - e.created_at::date) as age_days, e.resolution, r.source_ref,
                           r.vendor_candidate_id, i.email, e.assigned_to,
                           top.top_weight, top.runner_up_weight, r.match_score as top_probability,
                           """ + suggest.sql(q.caller()) + """
                            as suggested
                    """ + FROM + TOP_CANDIDATE + " where " + f.sql() + " order by " + order + " limit " + PAGE
                    + " offset ?", params));
        }
        return out;
    }

    /**
     * One exception: what the vendor sent and the candidate students (their {@code reasons} as JSON text)
     * the caller may see; null when there is no such exception or it is another district's.
     */
    public Map<String, Object> detail(long id, Account caller) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Map<String, Object>> rows = Rows.list(c, """
                    select e.exception_id as id, e.kind, e.status, e.resolution, e.district_code as district,
                           e.resolved_by, e.resolved_at::text as resolved_at, e.assigned_to, r.source_ref, r.version,
                           r.match_tier, r.match_score as top_probability,
                           r.result_id as result, r.feed_code as feed, d.source_name as source, r.source_row as row,
                           r.vendor_candidate_id, r.exam_code, r.credential_code as credential, cc.credential_name,
                           r.attempted_on::text as attempted_on, r.passed, r.score, r.match_decision,
                           i.first_name, i.last_name, i.birth_date::text as birth_date, i.email, i.school_code,
                           i.school_name, i.district_code as sent_district
                    """ + FROM + " where e.exception_id = ?", List.of(id));
            if (rows.isEmpty() || !caller.canSeeDistrict((String) rows.get(0).get("district"))) {
                return null;
            }
            Map<String, Object> out = rows.get(0);
            out.put("decisions", decisionsOf(c, out.get("result")));
            List<Object> rp = new ArrayList<>();
            rp.add(out.get("result"));
            rp.add(caller.isOps());
            rp.add(caller.districtCode());
            out.put("candidates", Rows.list(c, """
                    select s.student_id, s.first_name, s.last_name, s.birth_date::text as birth_date,
                           s.school_code, sc.name as school_name, s.district_code, mc.score, mc.reasons::text as reasons
                    from match_candidate mc join student s using (student_id)
                    left join school sc on sc.school_code = s.school_code
                    where mc.result_id = ? and (? or s.district_code = ?) order by mc.rank""", rp));
            return out;
        }
    }

    /**
     * The decisions taken on a result (from the audit log): who, when, which action and the note, oldest first.
     * Only actions and notes: the before/after student ids stay in the audit log.
     */
    private static List<Map<String, Object>> decisionsOf(Connection c, Object resultId) throws SQLException {
        return Rows.list(c, """
                select case when action like 'decide-%' then substring(action from 8) else action end as action,
                       username as by, at::text as at, after ->> 'note' as note, after ->> 'assigned_to' as assigned_to,
                       (extract(epoch from now() - at) / 60)::int as minutes_ago
                from audit_log where object_type = 'result' and object_id = ?
                  and (action like 'decide-%' or action in ('reopen', 'assign'))
                order by at, audit_id""", List.of(String.valueOf(resultId)));
    }

    /**
     * Of the given exceptions the caller may see, each one whose top candidate is clearly ahead ({@link Suggest}):
     * exception id, result, version, the top candidate (student id, names, birth date, school), its match weight,
     * the runner-up's and the posterior probability. The others are not returned.
     */
    public List<Map<String, Object>> suggestions(List<Long> exceptionIds, Account caller) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Object> params = new ArrayList<>();
            params.add(c.createArrayOf("bigint", exceptionIds.toArray()));
            params.add(caller.isOps());
            params.add(caller.districtCode());
            return Rows.list(c, """
                    select e.exception_id as id, r.result_id as result, r.version, ts.student_id,
                           ts.first_name, ts.last_name, ts.birth_date::text as birth_date, sc.name as school_name,
                           i.first_name as sent_first_name, i.last_name as sent_last_name,
                           top.top_weight, top.runner_up_weight, r.match_score as top_probability
                    """ + FROM + TOP_CANDIDATE + """
                    left join school sc on sc.school_code = ts.school_code
                    where e.exception_id = any (?) and (? or e.district_code = ?)
                    """ + " and " + suggest.sql(caller)
                    + " order by e.exception_id", params);
        }
    }

    public Suggest suggest() {
        return suggest;
    }

    /** The result an exception is about, when the caller may see the exception; else null. */
    public Long resultOf(long exceptionId, Account caller) throws SQLException {
        List<Map<String, Object>> rows = Rows.list(dataSource,
                "select result_id, district_code from result_exception where exception_id = ?", List.of(exceptionId));
        if (rows.isEmpty() || !caller.canSeeDistrict((String) rows.get(0).get("district_code"))) {
            return null;
        }
        return ((Number) rows.get(0).get("result_id")).longValue();
    }

    /** Every exception the query selects (at most 100,000), in the export's columns. */
    public List<Map<String, Object>> export(Query q) throws SQLException {
        Where f = q.where(suggest);
        return Rows.list(dataSource, """
                select e.exception_id, e.kind, e.status, e.district_code, r.feed_code, d.source_name, r.source_row,
                       r.exam_code, r.credential_code, r.attempted_on::text, r.passed, i.first_name, i.last_name,
                       i.birth_date::text, i.school_name
                """ + (q.suggested() ? FROM + TOP_CANDIDATE : FROM) + " where " + f.sql()
                + " order by e.exception_id limit 100000", f.params());
    }

    /** Open exceptions per district (the state's queue as {@code state}) and kind. */
    public List<Map<String, Object>> openByDistrict() throws SQLException {
        return Rows.list(dataSource, """
                select coalesce(e.district_code, 'state') as district, coalesce(d.name, 'No district known') as name,
                       e.kind, count(*) as open
                from result_exception e left join district d using (district_code)
                where e.status in ('open', 'deferred') group by 1, 2, 3 order by 1, 3""", List.of());
    }

    /** The queue's gauge of the hub's metrics: open exceptions by kind. */
    public static void gauges(Connection c, Map<String, Double> into) throws SQLException {
        Rows.gauges(c, """
                select 'hub_exceptions_open', 'kind=' || kind, count(*)::float8
                from result_exception where status in ('open', 'deferred') group by kind""", into);
    }
}
