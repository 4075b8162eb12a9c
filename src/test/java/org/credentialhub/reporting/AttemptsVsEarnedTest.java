package org.credentialhub.reporting;

import org.credentialhub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Attempts against earned: each credential's attempts, passed attempts and students attempting are those of the year's
 * attempt facts counted directly (the report counts the students as the groups of the attempts by student, not with a
 * count(distinct ...): docs/performance.md, session 56), its earned credentials those of the earned facts.
 */
class AttemptsVsEarnedTest {

    @Test
    void eachCredentialsFiguresAreTheFactsCountedDirectly() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            hub.runtime.services().reporting.load("test");
            for (String year : List.of("2023-2024", "2024-2025")) {
                List<List<Object>> expected = new ArrayList<>();
                for (Map<String, Object> r : hub.rows("""
                        select a.credential_code, a.attempts, a.passed_attempts, a.students_attempting,
                               coalesce(e.earned, 0) as earned
                        from (select credential_code, count(*) as attempts, count(*) filter (where passed) as passed_attempts,
                                     count(distinct student_key) as students_attempting
                              from rpt.fact_attempt where school_year = '%s' group by credential_code) a
                        left join (select credential_code, count(*) as earned from rpt.fact_earned
                                   where school_year = '%s' group by credential_code) e using (credential_code)
                        order by 1""".formatted(year, year))) {
                    expected.add(List.of(r.get("credential_code"), ((Number) r.get("attempts")).longValue(),
                            ((Number) r.get("passed_attempts")).longValue(),
                            ((Number) r.get("students_attempting")).longValue(), ((Number) r.get("earned")).longValue()));
                }
                Reports.Table t;
                try (Connection c = hub.db().getConnection()) {
                    t = new Reports(10, Map.of()).compute(c, "attempts-vs-earned", year);
                }
                List<String> cols = t.header();
                List<List<Object>> reported = new ArrayList<>();
                for (List<Object> row : t.rows()) {
                    reported.add(List.of(row.get(cols.indexOf("credential_code")), row.get(cols.indexOf("attempts")),
                            row.get(cols.indexOf("passed_attempts")), row.get(cols.indexOf("students_attempting")),
                            row.get(cols.indexOf("earned"))));
                }
                reported.sort(java.util.Comparator.comparing(r -> String.valueOf(r.get(0))));
                assertEquals(expected, reported, year);
                if (year.equals("2024-2025")) {
                    assertFalse(expected.isEmpty());
                }
            }
        }
    }

    /** Students with several attempts of a credential, passed or not: attempts and students differ. */
    @Test
    void aStudentWithSeveralAttemptsIsOneStudentAttempting() throws Exception {
        try (TestHub hub = Loads.twoDistrictsWithoutScheduledLoads()) {
            hub.runtime.services().reporting.load("test");
            String k1 = "00000000-0000-0000-0000-000000000001";
            String k2 = "00000000-0000-0000-0000-000000000002";
            try (Connection c = hub.db().getConnection(); java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("""
                        insert into rpt.fact_attempt (school_year, student_key, credential_code, attempted_on, passed,
                                                      source, feed_code, result_id)
                        values ('2030-2031', '%1$s', 'T-A', '2030-10-01', false, 'vendor', 'f', -1),
                               ('2030-2031', '%1$s', 'T-A', '2030-11-01', false, 'vendor', 'f', -2),
                               ('2030-2031', '%1$s', 'T-A', '2030-12-01', true, 'vendor', 'f', -3),
                               ('2030-2031', '%2$s', 'T-A', '2030-10-01', false, 'vendor', 'f', -4),
                               ('2030-2031', '%2$s', 'T-A', '2030-11-01', false, 'district', 'district', -5),
                               ('2030-2031', '%1$s', 'T-B', '2030-10-02', true, 'vendor', 'f', -6)""".formatted(k1, k2));
                st.executeUpdate("""
                        insert into rpt.fact_earned (school_year, student_key, credential_code, earned_on, source,
                                                     feed_code, result_id, aligned)
                        values ('2030-2031', '%1$s', 'T-A', '2030-12-01', 'vendor', 'f', -3, true),
                               ('2030-2031', '%1$s', 'T-B', '2030-10-02', 'vendor', 'f', -6, false)""".formatted(k1));
                Reports.Table t = new Reports(10, Map.of()).compute(c, "attempts-vs-earned", "2030-2031");
                List<String> cols = t.header();
                List<List<Object>> reported = new ArrayList<>();
                for (List<Object> row : t.rows()) {
                    reported.add(List.of(row.get(cols.indexOf("credential_code")), row.get(cols.indexOf("attempts")),
                            row.get(cols.indexOf("passed_attempts")), row.get(cols.indexOf("students_attempting")),
                            row.get(cols.indexOf("earned")), row.get(cols.indexOf("pass_rate"))));
                }
                assertEquals(List.of(List.of("T-A", 5L, 1L, 2L, 1L, "20.0%"), List.of("T-B", 1L, 1L, 1L, 1L, "100.0%")),
                        reported);
            }
        }
    }
}
