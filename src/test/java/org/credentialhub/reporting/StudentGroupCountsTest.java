package org.credentialhub.reporting;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reports of students by group (NC Table 4, attainment-by-student-group; Tables 5a-c, tier-N-trend-by-student-group)
 * count their students by the students' dimension values first and then spread the counts over the groups
 * ({@code rpt.student_groups}, V86): the same rows as joining each student with its five groups in
 * {@code rpt.student_group}, without a row per student and group anywhere in the plan (the NC year's 441,965 such rows,
 * 2,188,895 at five times its size, hashed whole: Table 4 1.0 s -> 0.65 s, Tables 5 0.6 s -> 0.44 s; docs/performance.md,
 * session 47).
 */
class StudentGroupCountsTest {
    private static final int STUDENTS = 3_000;

    /** Table 4 as it was: each student joined with its groups in the view. */
    private static final String TABLE_4_BY_STUDENT = """
            with cte as (select f.student_key from rpt.fact_enrollment f where f.school_year = ? group by f.student_key),
                 enrolled as (select f.student_key from rpt.fact_potential f where f.school_year = ? group by f.student_key),
                 earners as (select f.student_key, bool_or(k.tier = 1) as t1, bool_or(k.tier = 2) as t2,
                                    bool_or(k.tier = 3) as t3
                             from rpt.fact_course_earned f
                             left join lateral (select k.tier from rpt.dim_credential k
                                                where k.credential_code = f.credential_code
                                                  and k.school_year = f.school_year limit 1) k on true
                             where f.school_year = ? group by f.student_key),
                 st as (select c.student_key, e.student_key is not null as enrolled, x.student_key is not null as earning,
                               coalesce(x.t1, false) as t1, coalesce(x.t2, false) as t2, coalesce(x.t3, false) as t3
                        from cte c left join enrolled e using (student_key) left join earners x using (student_key)),
                 t as (select count(*) as all_cte, count(*) filter (where enrolled) as all_enrolled,
                              count(*) filter (where earning) as all_earners from st)
            select min(g.ordinal) as ordinal, g.group_type, g.student_group, count(*) as cte_enrollment,
                   count(*) filter (where st.enrolled) as students_enrolled,
                   count(*) filter (where st.earning) as students_earning,
                   count(*) filter (where st.t1) as students_earning_tier_1,
                   count(*) filter (where st.t2) as students_earning_tier_2,
                   count(*) filter (where st.t3) as students_earning_tier_3,
                   round(100.0 * count(*) / nullif(max(t.all_cte), 0), 1) as share_of_cte_enrollment,
                   round(100.0 * count(*) filter (where st.enrolled) / nullif(max(t.all_enrolled), 0), 1) as share_of_enrolled,
                   round(100.0 * count(*) filter (where st.earning) / nullif(max(t.all_earners), 0), 1) as share_of_earners
            from rpt.student_group g join st using (student_key) cross join t
            group by g.group_type, g.student_group""";

    /** Tables 5a-c as they were. */
    private static final String TABLES_5_BY_STUDENT = """
            with enrolled as (select f.student_key from rpt.fact_potential f where f.school_year = ? group by f.student_key),
                 earners as (select f.student_key, bool_or(k.tier = 1) as t1, bool_or(k.tier = 2) as t2,
                                    bool_or(k.tier = 3) as t3
                             from rpt.fact_course_earned f
                             join rpt.dim_credential k on k.credential_code = f.credential_code
                                                      and k.school_year = f.school_year
                             where f.school_year = ? group by f.student_key),
                 st as (select e.student_key, coalesce(x.t1, false) as t1, coalesce(x.t2, false) as t2,
                               coalesce(x.t3, false) as t3
                        from enrolled e left join earners x using (student_key))
            select min(g.ordinal) as ordinal, g.group_type, g.student_group, count(*) as enrolled,
                   count(*) filter (where st.t1) as earning_tier_1, count(*) filter (where st.t2) as earning_tier_2,
                   count(*) filter (where st.t3) as earning_tier_3
            from rpt.student_group g join st using (student_key)
            group by g.group_type, g.student_group""";

    @Test
    void studentsAreCountedByTheirValuesThenByGroupTheSameAsStudentByStudent() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            st.execute("""
                    insert into rpt.dim_student (student_key, sex, race, economically_disadvantaged, multilingual_learner,
                                                 student_with_disability)
                        select md5(n::text)::uuid, (array['Female', 'Male', null])[1 + n % 3],
                               (array['Asian', 'White', 'Hispanic/Latino', 'Two or More Races'])[1 + n % 4],
                               case n % 5 when 0 then null else n % 2 = 0 end, n % 7 = 0,
                               case when n % 11 = 0 then null else n % 3 = 0 end
                        from generate_series(1, ${students}) n;
                    insert into rpt.dim_credential (state, school_year, credential_code, credential_name, tier, high_value,
                                                    delivered_by)
                        select 'NC', '2024-2025', 'K' || t, 'K' || t, t, false, 'vendor' from generate_series(1, 3) t;
                    insert into rpt.fact_enrollment (school_year, student_key, course_code, district_code, school_code)
                        select '2024-2025', md5(n::text)::uuid, 'C' || (n % 2), '100', '100-1'
                        from generate_series(1, ${students}) n;
                    insert into rpt.fact_potential (school_year, student_key, course_code, credential_code, district_code,
                                                    school_code)
                        select '2024-2025', md5(n::text)::uuid, 'C1', 'K' || (1 + n % 3), '100', '100-1'
                        from generate_series(1, ${students}) n where n % 3 <> 0;
                    insert into rpt.fact_course_earned (school_year, student_key, course_code, credential_code,
                                                        district_code, school_code, result_id)
                        select '2024-2025', md5(n::text)::uuid, 'C1', 'K' || (1 + n % 3), '100', '100-1', n
                        from generate_series(1, ${students}) n where n % 3 = 1;
                    analyze rpt.dim_student, rpt.dim_credential, rpt.fact_enrollment, rpt.fact_potential,
                            rpt.fact_course_earned""".replace("${students}", String.valueOf(STUDENTS)));
            String table4 = Reports.definition("attainment-by-student-group").sql();
            List<String> rows = rows(c, table4);
            assertEquals(rows(c, TABLE_4_BY_STUDENT), rows);
            assertEquals(15, rows.size(), rows.toString());
            assertNoRowPerStudentAndGroup(c, table4);
            String tables5 = Reports.definition("tier-1-trend-by-student-group").sql();
            assertEquals(rows(c, TABLES_5_BY_STUDENT), rows(c, tables5));
            assertNoRowPerStudentAndGroup(c, tables5);
        }
    }

    /** The report's rows for 2024-2025 (every parameter is the year), in group order. */
    private static List<String> rows(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = Reports.forYear(c, "select * from (" + sql + ") r order by 1, 2, 3", "2024-2025")) {
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder b = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        b.append(rs.getString(i)).append(i < n ? "|" : "");
                    }
                    out.add(b.toString());
                }
            }
        }
        return out;
    }

    /**
     * No node of the report's plan handles as many rows as there are students times their five groups (the join of
     * each student with its groups did: 15,000 here).
     */
    private static void assertNoRowPerStudentAndGroup(Connection c, String sql) throws Exception {
        StringBuilder plan = new StringBuilder();
        long most = 0;
        try (PreparedStatement ps = Reports.forYear(c, "explain (analyze, costs off, timing off) " + sql, "2024-2025")) {
            try (ResultSet rs = ps.executeQuery()) {
                Pattern rows = Pattern.compile("rows=(\\d+) loops=(\\d+)");
                while (rs.next()) {
                    String line = rs.getString(1);
                    plan.append(line).append('\n');
                    Matcher m = rows.matcher(line);
                    if (m.find()) {
                        most = Math.max(most, Long.parseLong(m.group(1)) * Long.parseLong(m.group(2)));
                    }
                }
            }
        }
        assertTrue(most > 0, plan.toString());
        assertTrue(most < 5L * STUDENTS, most + " rows in a node of\n" + plan);
    }
}
