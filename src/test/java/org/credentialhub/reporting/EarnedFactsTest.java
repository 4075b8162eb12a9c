package org.credentialhub.reporting;

import org.credentialhub.store.Rows;
import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reporting load's earned facts ({@link ReportingLoad#EARNED}): a student's first passed attempt of a credential in
 * a year, aligned when a potential fact of that year, student and credential exists, however many (a student enrolled
 * in two courses that both offer the credential). The potential facts are joined as they are, not grouped first: the
 * distinct on of the attempts keeps one row of each student's credential either way, and grouping them took half of the
 * statement (the NC year's 649,378 potential facts hashed into as many groups on disk: the select 2.1 s, 1.05-1.34 s
 * without; docs/performance.md, session 47). Its sorts lead with the student's key (the year's abbreviated keys are
 * alike: session 54).
 */
class EarnedFactsTest {

    @Test
    void eachStudentsFirstPassedAttemptOfACredentialAlignedByAPotentialFactOfItsYear() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            String a = "'00000000-0000-0000-0000-00000000000a'";
            String b = "'00000000-0000-0000-0000-00000000000b'";
            String d = "'00000000-0000-0000-0000-00000000000d'";
            st.execute("""
                    insert into rpt.fact_attempt (school_year, student_key, credential_code, district_code, school_code,
                                                  attempted_on, passed, source, feed_code, result_id) values
                        ('2024-2025', %1$s, 'X', '100', '100-1', date '2025-03-01', true, 'vendor', 'certexam', 2),
                        ('2024-2025', %1$s, 'X', '100', '100-1', date '2025-01-15', true, 'vendor', 'certexam', 1),
                        ('2024-2025', %1$s, 'X', '100', '100-1', date '2024-12-01', false, 'vendor', 'certexam', 3),
                        ('2023-2024', %1$s, 'X', '100', '100-1', date '2024-02-01', true, 'vendor', 'certexam', 5),
                        ('2024-2025', %2$s, 'Y', '200', '200-1', date '2025-02-01', true, 'district', 'district', 4),
                        ('2024-2025', %3$s, 'Y', '200', '200-1', date '2025-02-01', false, 'vendor', 'certexam', 6);
                    insert into rpt.fact_potential (school_year, student_key, course_code, credential_code, district_code,
                                                    school_code) values
                        ('2024-2025', %1$s, 'C1', 'X', '100', '100-1'),
                        ('2024-2025', %1$s, 'C2', 'X', '100', '100-1'),
                        ('2023-2024', %2$s, 'C3', 'Y', '200', '200-1'),
                        ('2024-2025', %2$s, 'C3', 'Z', '200', '200-1');
                    analyze rpt.fact_attempt, rpt.fact_potential""".formatted(a, b, d));
            Array years = c.createArrayOf("text", new String[] {"2023-2024", "2024-2025"});
            assertEquals(3, Rows.update(c, ReportingLoad.EARNED, years, years));
            List<String> facts = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    select school_year, right(student_key::text, 1), credential_code, earned_on, result_id, aligned, source
                    from rpt.fact_earned order by school_year, student_key, credential_code""")) {
                while (rs.next()) {
                    facts.add(String.join(" ", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
            assertEquals(List.of(
                    // a potential fact of another year does not align
                    "2023-2024 a X 2024-02-01 5 f vendor",
                    // the first passed attempt, once, though two courses offer the credential
                    "2024-2025 a X 2025-01-15 1 t vendor",
                    // a potential fact of another credential does not align
                    "2024-2025 b Y 2025-02-01 4 f district"), facts);

            // the potential facts joined as they are: no grouping of them (nor of anything) in the plan
            List<String> plan = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("explain (costs off) " + ReportingLoad.EARNED)) {
                ps.setArray(1, years);
                ps.setArray(2, years);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
            }
            assertTrue(plan.stream().noneMatch(line -> line.contains("Group Key") || line.contains("Aggregate")),
                    String.join("\n", plan));
            // every sort of the attempts leads with the student's random key, not the year: PostgreSQL decides a
            // comparison by the first column's abbreviated key, and a year's is alike for every row
            List<String> sorts = plan.stream().filter(line -> line.contains("Sort Key:")).toList();
            assertTrue(!sorts.isEmpty() && sorts.stream().allMatch(line -> line.trim().startsWith("Sort Key: a.student_key")
                    || line.trim().startsWith("Sort Key: f.student_key")), String.join("\n", plan));
        }
    }
}
