package org.credentialhub.reporting;

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
 * From a report row to what is behind its counts: each credential counted, with the result, the feed,
 * the file (or API record) and row it came from, and when it arrived. For authorized users only (ops,
 * operators at the command line): it names results and files, though never a student.
 */
public final class Trace {
    private Trace() {
    }

    /** The facts a report row counts, and how the row's key selects them. */
    private record Source(String fact, String where) {
    }

    private static Source source(String table) {
        return switch (table) {
            case "attainment-by-district" -> new Source("rpt.fact_course_earned", "f.district_code = ?");
            case "attainment-by-course-credential" -> new Source("rpt.fact_course_earned", "f.course_code || '/' || f.credential_code = ?");
            case "attainment-by-tier" -> new Source("rpt.fact_course_earned", """
                    coalesce((select k.tier::text from rpt.dim_credential k where k.credential_code = f.credential_code
                              and k.school_year = f.school_year limit 1), 'No tier') = ?""");
            case "attainment-by-region" -> new Source("rpt.fact_course_earned", """
                    coalesce((select d.region from rpt.dim_district d where d.district_code = f.district_code), 'Unassigned') = ?""");
            case "attempts-vs-earned" -> new Source("rpt.fact_attempt", "f.credential_code = ?");
            case "data-source-by-credential" -> new Source("rpt.fact_earned", "f.credential_code = ?");
            default -> throw new IllegalArgumentException("tracing is offered for attainment-by-district, "
                    + "attainment-by-course-credential (key COURSE/CREDENTIAL), attainment-by-tier, attainment-by-region, "
                    + "attempts-vs-earned and data-source-by-credential (key CREDENTIAL)");
        };
    }

    /** The results behind the row with this key (the row's first column; COURSE/CREDENTIAL for Table 11). */
    public static List<Map<String, Object>> of(Connection c, String table, String year, String key, int limit)
            throws SQLException {
        Source s = source(table);
        String sql = """
                select f.result_id, r.feed_code as feed, d.source_name as source,
                       coalesce(r.source_ref, '') as record, l.source_row as row, d.delivery_id as delivery,
                       to_char(d.received_at, 'YYYY-MM-DD HH24:MI') as received, r.attempted_on::text as attempted_on,
                       r.credential_code as credential, r.match_tier as matched_by
                from %s f
                join result r on r.result_id = f.result_id
                join lateral (select delivery_id, source_row from result_lineage x where x.result_id = r.result_id
                              order by delivery_id limit 1) l on true
                join delivery d on d.delivery_id = l.delivery_id
                where f.school_year = ? and %s
                order by r.feed_code, d.source_name, l.source_row limit ?""".formatted(s.fact(), s.where());
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, year);
            ps.setString(2, key);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }
}
