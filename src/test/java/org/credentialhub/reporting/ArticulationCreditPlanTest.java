package org.credentialhub.reporting;

import org.credentialhub.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The articulation-credit report (reports/articulation-credit.yaml) reads the year's course-earned facts only for what
 * it counts: the earners of the agreements' credentials, and for each credit award its earning, looked up by the
 * facts' key. As a semi-join the planner hashed every course-earned fact of the year to find the awards' (the NC
 * year's 372,620 for 3,660 awards: 0.47-0.49 s of the statement's 0.5 s, 0.11-0.13 s without; docs/performance.md,
 * session 47). The figures are the generator's truth either way (AnnualReportTest).
 */
class ArticulationCreditPlanTest {

    @Test
    void anAwardsEarningIsLookedUpByKeyAndOnlyTheAgreementsCredentialsAreCounted() throws Exception {
        try (Connection c = SharedPostgres.connect();
             Statement st = c.createStatement()) {
            // 400,000 course-earned facts of 100 credentials (a year of the NC's size), an agreement for one of them, 4,000
            // of its earners awarded
            st.execute("""
                    insert into rpt.fact_course_earned (school_year, student_key, course_code, credential_code,
                                                        district_code, school_code, result_id)
                        select '2024-2025', md5(n::text)::uuid, 'C' || (n % 7), 'K' || (n % 100), '100', '100-1', n
                        from generate_series(1, 400000) n;
                    insert into catalog_articulation (state, school_year, credential_code, institution, program,
                                                      credit_hours, first_year, last_year)
                        values ('NC', '2024-2025', 'K7', 'Wake Tech', 'AAS', 3, '2023-2024', '2025-2026');
                    insert into rpt.fact_credit_award (school_year, student_key, credential_code, institution, program,
                                                       credit_hours, awarded_on, result_id)
                        select '2024-2025', md5(n::text)::uuid, 'K7', 'Wake Tech', 'AAS', 3, date '2025-05-01', n
                        from generate_series(7, 400000, 100) n;
                    analyze rpt.fact_course_earned, catalog_articulation, rpt.fact_credit_award""");
            String sql = Reports.definition("articulation-credit").sql();
            List<String> rows = new ArrayList<>();
            try (PreparedStatement ps = Reports.forYear(c, sql, "2024-2025"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString("credential_code") + " " + rs.getString("earned") + " "
                            + rs.getString("awarded") + " " + rs.getString("credit_hours_awarded"));
                }
            }
            assertEquals(List.of("K7 4000 4000 12000"), rows);

            List<String> plan = new ArrayList<>();
            try (PreparedStatement ps = Reports.forYear(c, "explain (costs off) " + sql, "2024-2025");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
            String text = String.join("\n", plan);
            // the awards' earnings by the key (school year, student): not the year's facts hashed or grouped whole
            assertTrue(text.contains("Index Scan using fact_course_earned_pkey on fact_course_earned x")
                    || text.contains("Index Only Scan using fact_course_earned_pkey on fact_course_earned x"), text);
            assertTrue(plan.stream().noneMatch(l -> l.contains("Group Key: x.")), text);
        }
    }
}
